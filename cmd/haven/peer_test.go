package main

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
)

// haven demo --peers makes two linked instances; haven peer lists, suspends
// and resumes a peer, and refuses to work without a country.
func TestDemoPeersAndPeerCommands(t *testing.T) {
	data := filepath.Join(t.TempDir(), "demo")
	r := haven(t, "", "demo", "--peers", "--data", data, "--cases", "5", "--no-serve", "--listen", "127.0.0.1:18690")
	if r.code != 0 || !strings.Contains(r.stdout, "Haven Thailand (demo)") || !strings.Contains(r.stdout, "fingerprint") {
		t.Fatalf("demo --peers: %+v", r)
	}
	np := filepath.Join(data, "np")
	if r := haven(t, "", "peer", "list", "--data", np); r.code != 1 || !strings.Contains(r.stderr, "--country") {
		t.Fatalf("peer list without a country: %+v", r)
	}
	list := func() map[string]any {
		t.Helper()
		r := haven(t, "", "peer", "list", "--json", "--data", np, "--country", "NP", "--base-url", "http://127.0.0.1:18690")
		var out struct {
			Country string           `json:"country"`
			Peers   []map[string]any `json:"peers"`
		}
		if r.code != 0 || json.Unmarshal([]byte(r.stdout), &out) != nil || out.Country != "NP" || len(out.Peers) != 1 {
			t.Fatalf("peer list: %+v", r)
		}
		return out.Peers[0]
	}
	p := list()
	if p["country"] != "TH" || p["status"] != "active" || !strings.Contains(r.stdout, p["fingerprint"].(string)) {
		t.Fatalf("the Nepali instance's peer: %v", p)
	}
	id := p["id"].(string)
	if r := haven(t, "", "peer", "suspend", "--id", id, "--data", np, "--country", "NP", "--base-url", "http://127.0.0.1:18690"); r.code != 0 {
		t.Fatalf("suspend: %+v", r)
	}
	if list()["status"] != "suspended" {
		t.Fatal("not suspended")
	}
	if r := haven(t, "", "peer", "resume", "--id", id, "--data", np, "--country", "NP", "--base-url", "http://127.0.0.1:18690"); r.code != 0 || list()["status"] != "active" {
		t.Fatalf("resume: %+v", r)
	}
	if r := haven(t, "", "peer", "add", "--url", "http://127.0.0.1:1", "--data", np, "--country", "NP", "--base-url", "http://127.0.0.1:18690"); r.code != 1 {
		t.Fatalf("adding an unreachable peer: %+v", r)
	}
	// The instance's own key pair rotates; the fingerprint it lists is the
	// new one the command printed, and the old one it printed is gone.
	self := func() string {
		t.Helper()
		r := haven(t, "", "peer", "list", "--json", "--data", np, "--country", "NP", "--base-url", "http://127.0.0.1:18690")
		var out struct {
			Fingerprint string `json:"fingerprint"`
		}
		if r.code != 0 || json.Unmarshal([]byte(r.stdout), &out) != nil {
			t.Fatalf("peer list: %+v", r)
		}
		return out.Fingerprint
	}
	before := self()
	r = haven(t, "", "peer", "rotate-key", "--data", np, "--country", "NP", "--base-url", "http://127.0.0.1:18690")
	after := self()
	if r.code != 0 || after == before || !strings.Contains(r.stdout, "Old fingerprint: "+before) || !strings.Contains(r.stdout, "New fingerprint: "+after) {
		t.Fatalf("rotate-key: %+v; listed before %q, after %q", r, before, after)
	}
}
