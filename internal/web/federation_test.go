package web_test

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/haven-nrm/haven/internal/federation"
)

// The TRM's protocol routes: the signed well-known document for anyone,
// and an inbox that refuses, in JSON, what no peer signed.
func TestFederationRoutes(t *testing.T) {
	f := sqliteFixture(t)
	resp, err := http.Get(f.srv.URL + federation.WellKnownPath)
	if err != nil {
		t.Fatal(err)
	}
	var d federation.Document
	if resp.StatusCode != 200 || json.NewDecoder(resp.Body).Decode(&d) != nil {
		t.Fatalf("well-known: %d", resp.StatusCode)
	}
	resp.Body.Close()
	b, err := d.Verify()
	if err != nil || b.Country != "NP" {
		t.Fatalf("document: %+v %v", b, err)
	}
	for _, body := range []string{`{`, `{"v":1}`, `{"v":1,"id":"00000000000000000000000000000000","kind":"package","from":"00000000000000000000000000000000","from_key":"x","to":"` + b.Instance + `","to_key":"x","at":"2026-01-01T00:00:00.000Z","sealed":"AAAA","sig":"AAAA"}`} {
		resp, err := http.Post(f.srv.URL+federation.InboxPath, "application/json", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		out, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 400 && resp.StatusCode != 403 || !strings.Contains(string(out), `"error"`) {
			t.Fatalf("inbox answered %d %s to %s", resp.StatusCode, out, body)
		}
	}
}
