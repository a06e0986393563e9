package store_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/haven-nrm/haven/internal/store"
)

// Rows the API answers write their instants as RFC 3339 UTC text, never as
// milliseconds, and leave out an instant that has not happened.
func TestAPIRowsWriteRFC3339(t *testing.T) {
	const ms = 1765075200123 // 2025-12-07T02:40:00.123Z
	const want = `"2025-12-07T02:40:00.123Z"`
	for _, c := range []struct {
		name   string
		v      any
		fields []string
		absent []string
	}{
		{"goal", store.Goal{ID: "g", CreatedAt: ms, UpdatedAt: ms}, []string{"created_at", "updated_at"}, nil},
		{"handover", store.Handover{ID: "h", CreatedAt: ms}, []string{"created_at"}, []string{"decided_at"}},
		{"handover decided", store.Handover{ID: "h", CreatedAt: ms, DecidedAt: ms}, []string{"created_at", "decided_at"}, nil},
		{"conference", store.Conference{ID: "c", CreatedAt: ms}, []string{"created_at"}, nil},
		{"task", store.Task{ID: "t", DueAt: ms, CreatedAt: ms}, []string{"due_at", "created_at"}, []string{"done_at"}},
		{"task done", store.Task{ID: "t", DueAt: ms, DoneAt: ms, CreatedAt: ms}, []string{"due_at", "done_at", "created_at"}, nil},
		{"guardian", store.Guardian{ID: "g", CreatedAt: ms}, []string{"created_at"}, nil},
	} {
		b, err := json.Marshal(c.v)
		if err != nil {
			t.Fatal(err)
		}
		var m map[string]json.RawMessage
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatal(err)
		}
		for _, f := range c.fields {
			if string(m[f]) != want {
				t.Errorf("%s: %s = %s, want %s", c.name, f, m[f], want)
			}
		}
		for _, f := range c.absent {
			if _, ok := m[f]; ok {
				t.Errorf("%s: %s present: %s", c.name, f, b)
			}
		}
		if _, ok := m["id"]; !ok || strings.Contains(string(b), "1765075200123") {
			t.Errorf("%s: %s", c.name, b)
		}
	}
}
