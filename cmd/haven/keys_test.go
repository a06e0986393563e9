package main

import (
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/haven-nrm/haven/internal/store"
)

// demoPasswords runs `haven demo --no-serve` and returns the printed
// passwords by username.
func demoPasswords(t *testing.T, args ...string) map[string]string {
	t.Helper()
	r := haven(t, "", append([]string{"demo", "--no-serve", "--cases", "5"}, args...)...)
	if r.code != 0 {
		t.Fatalf("demo: %+v", r)
	}
	pw := map[string]string{}
	for _, m := range regexp.MustCompile(`(?m)^\S+\s+(demo\.\S+)\s+(\S+)$`).FindAllStringSubmatch(r.stdout, -1) {
		pw[m[1]] = m[2]
	}
	return pw
}

func signedIn(t *testing.T, base, user, pw string) *http.Client {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.PostForm(base+"/login", url.Values{"username": {user}, "password": {pw}})
	if err != nil || resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/" {
		t.Fatalf("sign in %s: %v %v", user, resp.StatusCode, err)
	}
	resp.Body.Close()
	return c
}

// Rotating the master key while the server runs loses nothing and needs no
// restart; the old key can then be retired.
func TestKeyRotationWithoutDowntime(t *testing.T) {
	data := t.TempDir()
	pw := demoPasswords(t, "--data", data)
	os.Setenv("HAVEN_MFA_REQUIRED", "false")
	defer os.Unsetenv("HAVEN_MFA_REQUIRED")
	s := startServer(t, "--data", data)
	s.waitReady(t)
	fr := signedIn(t, s.url, "demo.first_responder", pw["demo.first_responder"])
	req, _ := http.NewRequest("POST", s.url+"/api/v1/referrals", strings.NewReader(`{"sector":"health","age":40,"acts":["recruitment"],
		"means":["fraud"],"purposes":["forced_labour"],"consent":"given","consent_language":"ne","identity":{"given_name":"Rotatename","document_number":"ROT-9"}}`))
	req.Header.Set("Content-Type", "application/json")
	resp, err := fr.Do(req)
	if err != nil || resp.StatusCode != 201 {
		t.Fatalf("referral: %v %v", resp.StatusCode, err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	caseID := regexp.MustCompile(`"case_id": "([0-9a-f]{32})"`).FindStringSubmatch(string(body))[1]

	before := haven(t, "", "keys", "list", "--data", data)
	oldKey := strings.SplitN(strings.TrimSpace(before.stdout), " ", 2)[0]
	oldKey = strings.TrimSuffix(oldKey, ":")
	if r := haven(t, "", "keys", "rotate", "--data", data); r.code != 0 || !strings.Contains(r.stdout, "rewrapped 1 person") {
		t.Fatalf("rotate: %+v", r)
	}
	if r := haven(t, "", "keys", "list", "--data", data); !strings.Contains(r.stdout, oldKey+": 0 data keys") {
		t.Fatalf("after rotate, old key still used: %s", r.stdout)
	}
	// The running server reads the rewrapped key with the key it has not
	// seen yet.
	ca := signedIn(t, s.url, "demo.competent_authority", pw["demo.competent_authority"])
	if code, page := getPage(t, ca, s.url+"/cases/"+caseID); code != 200 || !strings.Contains(page, "Rotatename") {
		t.Fatalf("case after rotation: %d", code)
	}
	if r := haven(t, "", "keys", "retire", "--data", data, "--key", oldKey); r.code != 0 {
		t.Fatalf("retire: %+v", r)
	}
	if _, page := getPage(t, ca, s.url+"/cases/"+caseID); !strings.Contains(page, "Rotatename") {
		t.Fatal("case unreadable after the old key was retired")
	}
	s.cmd.Process.Signal(os.Interrupt)
	s.cmd.Wait()
	if r := haven(t, "", "audit", "verify", "--data", data); r.code != 0 {
		t.Fatalf("audit verify: %+v", r)
	}
	// Erasure: destroying the data key makes the identity unrecoverable.
	db, err := store.Open(context.Background(), store.Options{Path: filepath.Join(data, "haven.db")})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	c, _ := db.Case(context.Background(), caseID)
	if err := db.WriteBookkeeping(context.Background(), store.TestFixture, func(tx *store.Tx) error { return tx.ErasePerson(context.Background(), c.PersonID) }); err != nil {
		t.Fatal(err)
	}
	p, _ := db.Person(context.Background(), c.PersonID)
	if !p.Erased || p.WrappedKey != nil || len(p.Fields) != 0 {
		t.Fatalf("erased person still holds key or ciphertexts: %+v", p.Erased)
	}
}
