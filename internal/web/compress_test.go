package web_test

import (
	"compress/gzip"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/haven-nrm/haven/internal/testenv"
)

// Pages, styles and scripts are sent gzipped to a client that accepts it,
// and as they are to one that does not; a partial response is never
// compressed.
func TestResponsesAreCompressed(t *testing.T) {
	db := testenv.OpenMigrated(t, testenv.FreshSQLite(t))
	f := buildFixture(t, db, fixtureOptions{seed: 1, cases: 2})
	for _, path := range []string{"/login", "/static/haven.css", "/static/intake.js", "/api/v1/"} {
		req, _ := http.NewRequest("GET", f.srv.URL+path, nil)
		req.Header.Set("Accept-Encoding", "gzip")
		resp, err := http.DefaultTransport.RoundTrip(req)
		if err != nil {
			t.Fatal(err)
		}
		if resp.Header.Get("Content-Encoding") != "gzip" || !strings.Contains(resp.Header.Get("Vary"), "Accept-Encoding") {
			t.Errorf("%s: Content-Encoding %q, Vary %q", path, resp.Header.Get("Content-Encoding"), resp.Header.Get("Vary"))
			resp.Body.Close()
			continue
		}
		zr, err := gzip.NewReader(resp.Body)
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		body, err := io.ReadAll(zr)
		resp.Body.Close()
		if err != nil || len(body) == 0 {
			t.Errorf("%s: body %d bytes, %v", path, len(body), err)
		}
		plain, err := http.DefaultTransport.RoundTrip(mustRequest(t, f.srv.URL+path, "Accept-Encoding", "identity"))
		if err != nil {
			t.Fatal(err)
		}
		pb, _ := io.ReadAll(plain.Body)
		plain.Body.Close()
		if plain.Header.Get("Content-Encoding") != "" || len(pb) == 0 {
			t.Errorf("%s without gzip: Content-Encoding %q, %d bytes", path, plain.Header.Get("Content-Encoding"), len(pb))
		}
		if path == "/static/haven.css" && string(pb) != string(body) {
			t.Errorf("%s: the gzipped body differs from the plain one", path)
		}
	}
	ranged := mustRequest(t, f.srv.URL+"/static/haven.css", "Accept-Encoding", "gzip")
	ranged.Header.Set("Range", "bytes=0-9")
	resp, err := http.DefaultTransport.RoundTrip(ranged)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusPartialContent || resp.Header.Get("Content-Encoding") != "" {
		t.Errorf("range: status %d, Content-Encoding %q", resp.StatusCode, resp.Header.Get("Content-Encoding"))
	}
}

func mustRequest(t *testing.T, u, k, v string) *http.Request {
	t.Helper()
	req, err := http.NewRequest("GET", u, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set(k, v)
	return req
}
