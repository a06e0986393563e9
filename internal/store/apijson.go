package store

import "encoding/json"

// The rows below are stored with instants as Unix milliseconds; in JSON (the
// API) every instant is RFC 3339 text in UTC, as time.Time writes it, so the
// case API, the work list and the queue all answer in one form. Each
// MarshalJSON shadows the millisecond fields of the row with text fields of
// the same JSON name.

// instant is an instant in Unix milliseconds written as RFC 3339 UTC text;
// zero is written as null (or left out by omitzero).
type instant int64

func (i instant) IsZero() bool { return i == 0 }

func (i instant) MarshalJSON() ([]byte, error) {
	if i == 0 {
		return []byte("null"), nil
	}
	return FromMillis(int64(i)).MarshalJSON()
}

// MarshalJSON writes the goal with RFC 3339 instants.
func (g Goal) MarshalJSON() ([]byte, error) {
	type plain Goal
	return json.Marshal(struct {
		plain
		CreatedAt instant `json:"created_at"`
		UpdatedAt instant `json:"updated_at"`
	}{plain(g), instant(g.CreatedAt), instant(g.UpdatedAt)})
}

// MarshalJSON writes the handover with RFC 3339 instants.
func (h Handover) MarshalJSON() ([]byte, error) {
	type plain Handover
	return json.Marshal(struct {
		plain
		CreatedAt instant `json:"created_at"`
		DecidedAt instant `json:"decided_at,omitzero"`
	}{plain(h), instant(h.CreatedAt), instant(h.DecidedAt)})
}

// MarshalJSON writes the conference with an RFC 3339 instant.
func (c Conference) MarshalJSON() ([]byte, error) {
	type plain Conference
	return json.Marshal(struct {
		plain
		CreatedAt instant `json:"created_at"`
	}{plain(c), instant(c.CreatedAt)})
}

// MarshalJSON writes the task with RFC 3339 instants.
func (t Task) MarshalJSON() ([]byte, error) {
	type plain Task
	return json.Marshal(struct {
		plain
		DueAt     instant `json:"due_at"`
		DoneAt    instant `json:"done_at,omitzero"`
		CreatedAt instant `json:"created_at"`
	}{plain(t), instant(t.DueAt), instant(t.DoneAt), instant(t.CreatedAt)})
}

// MarshalJSON writes the appointment with an RFC 3339 instant.
func (g Guardian) MarshalJSON() ([]byte, error) {
	type plain Guardian
	return json.Marshal(struct {
		plain
		CreatedAt instant `json:"created_at"`
	}{plain(g), instant(g.CreatedAt)})
}
