package web_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/haven-nrm/haven/internal/access"
)

// TestAdminAPIUsers: an agency administrator changes the role of,
// disables, re-enables and resets the second factor of an account of
// their own agency through the JSON API — the same service methods and
// audit events as the pages — and cannot touch another agency's account,
// which answers 404 as if it did not exist and stays as it was (issue
// 12, "Users").
func TestAdminAPIUsers(t *testing.T) {
	eachEngine(t, func(t *testing.T, f *fixture) {
		ctx := t.Context()
		tok, err := f.web.IssueTokenForTest(ctx, f.db, f.user(t, access.AgencyAdmin).ID)
		if err != nil {
			t.Fatal(err)
		}
		call := func(method, path, body string) (int, string) {
			t.Helper()
			resp, b := send(t, http.DefaultClient, method, f.srv.URL+path, body, bearer(tok, body)...)
			return resp.StatusCode, b
		}
		own, other := f.user(t, access.CaseWorker), f.user(t, access.PoliceInvestigator)
		if own.AgencyID != f.user(t, access.AgencyAdmin).AgencyID || other.AgencyID == own.AgencyID {
			t.Fatal("the demo's case worker is not of the agency administrator's agency, or the police investigator is")
		}
		st, body := call("GET", "/api/v1/users", "")
		if st != 200 || !strings.Contains(body, own.ID) || strings.Contains(body, other.ID) || strings.Contains(body, "password") || strings.Contains(body, "argon2") {
			t.Fatalf("list: %d %s", st, body)
		}
		// Another agency's account: as if it did not exist.
		for _, c := range []struct{ path, body string }{
			{"/role", `{"role":"analyst"}`}, {"/disable", "{}"}, {"/enable", "{}"}, {"/reset-mfa", "{}"},
		} {
			if st, _ := call("POST", "/api/v1/users/"+other.ID+c.path, c.body); st != http.StatusNotFound {
				t.Errorf("%s on another agency's account: %d, want 404", c.path, st)
			}
		}
		if u, _ := f.db.UserByID(ctx, other.ID); u.Disabled || u.Role != other.Role || u.PasswordHash != other.PasswordHash {
			t.Errorf("another agency's account changed: %+v", u)
		}
		// Its own.
		if st, body := call("POST", "/api/v1/users/"+own.ID+"/role", `{"role":"system_admin"}`); st != http.StatusForbidden && st != http.StatusNotFound {
			t.Errorf("an agency administrator makes a system administrator: %d %s", st, body)
		}
		if st, body := call("POST", "/api/v1/users/"+own.ID+"/role", `{"role":"first_responder","admin":true}`); st != http.StatusBadRequest {
			t.Errorf("unknown member: %d %s", st, body)
		}
		if st, body := call("POST", "/api/v1/users/"+own.ID+"/role", `{"role":"first_responder"}`); st != 200 || !strings.Contains(body, `"first_responder"`) {
			t.Errorf("role: %d %s", st, body)
		}
		if st, _ := call("POST", "/api/v1/users/"+own.ID+"/disable", `{"why":"x"}`); st != http.StatusBadRequest {
			t.Errorf("disable with a member: %d, want 400", st)
		}
		if st, _ := call("POST", "/api/v1/users/"+own.ID+"/disable", ""); st != http.StatusBadRequest {
			t.Errorf("disable without a body: %d, want 400", st)
		}
		if st, body := call("POST", "/api/v1/users/"+own.ID+"/disable", "{}"); st != 200 || !strings.Contains(body, `"disabled": true`) {
			t.Errorf("disable: %d %s", st, body)
		}
		if u, _ := f.db.UserByID(ctx, own.ID); !u.Disabled || u.Role != string(access.FirstResponder) {
			t.Errorf("own account after role and disable: %+v", u)
		}
		if st, _ := call("POST", "/api/v1/users/"+own.ID+"/enable", "{}"); st != 200 {
			t.Errorf("enable: %d", st)
		}
		st, body = call("POST", "/api/v1/users/"+own.ID+"/reset-mfa", "{}")
		if st != 200 || !strings.Contains(body, "/enrol/") {
			t.Errorf("reset-mfa: %d %s", st, body)
		}
		if u, _ := f.db.UserByID(ctx, own.ID); u.Disabled {
			t.Error("own account still disabled")
		}
		for _, a := range []string{"user.role", "user.disable", "user.enable", "user.mfa_reset", "user.enrol_link"} {
			if !audited(t, f.db, a, own.ID) {
				t.Errorf("%s not audited", a)
			}
		}
	})
}
