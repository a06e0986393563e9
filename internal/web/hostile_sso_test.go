package web_test

import (
	"context"
	"net/url"
	"strings"

	"github.com/haven-nrm/haven/internal/access"
	"github.com/haven-nrm/haven/internal/web"
)

// The single sign-on routes in the hostile-input corpus (issue 17).
func init() {
	hostileExercises["GET /admin/sso"] = "plain"
	hostileExercises["POST /admin/sso"] = "sso-admin"
	hostileExercises["GET /sso/{id}/start"] = "ids"
	hostileExercises["GET /sso/callback"] = "sso-callback"
}

// ssoCallback sends hostile values as the provider's answer: every one is
// refused (no flow has such a state), none reaches a session.
func (e *hostile) ssoCallback(rt web.Route) {
	a := e.agent(e.h)
	fields := []string{"state", "code", "error", "error_description"}
	for i, field := range fields {
		for _, cat := range valueCats {
			vs := []string{e.pick(cat, i)}
			if field == "state" {
				vs = e.corpus[cat]
			}
			for _, v := range vs {
				q := url.Values{"state": {"s"}, "code": {"c"}}
				q.Set(field, v)
				e.do(a, hreq{route: rt.Pattern, cat: cat, field: field, method: "GET", target: "/sso/callback?" + q.Encode(), payload: v, refuse: true})
			}
		}
	}
	for _, cat := range valueCats {
		v := e.pick(cat, 3)
		e.do(a, hreq{route: rt.Pattern, cat: catHeader, field: cat, method: "GET", target: "/sso/callback?state=s&code=c",
			hdr: hostileHeaders(v), payload: v, refuse: true})
	}
}

// ssoAdmin sends hostile values into each field of the identity-provider
// form, as the system administrator.
func (e *hostile) ssoAdmin(rt web.Route) {
	a := e.as(access.SystemAdmin)
	ags, err := e.db.Agencies(context.Background())
	if err != nil || len(ags) == 0 {
		e.t.Fatalf("agencies: %v", err)
	}
	fields := []string{"id", "version", "name", "jurisdiction", "agency", "issuer", "client_id", "secret_env", "secret_file", "scopes",
		"mfa_values", "mapping", "provision", "enabled"}
	base := url.Values{"name": {"Hostile provider"}, "jurisdiction": {ags[0].JurisdictionID}, "issuer": {"https://idp.example.org/realms/haven"},
		"client_id": {"haven"}, "secret_env": {"HAVEN_SSO_HOSTILE"}, "scopes": {"openid profile"}, "mfa_values": {"mfa"},
		"mapping": {"groups haven " + ags[0].ID + " case_worker"}, "enabled": {"1"}}
	e.checkFormFields(rt, a, "/admin/sso", "/admin/sso", fields)
	o := fieldOpts{route: rt.Pattern, target: "/admin/sso", agent: func() *agent { return a }, base: base, fields: fields, writes: true,
		all: map[string]bool{"issuer": true, "mapping": true}}
	e.fields(o)
	e.bodies(o)
}

// The passkey routes in the hostile-input corpus.
func init() {
	for _, p := range []string{"POST /login/passkey/begin", "POST /mfa/passkey/begin", "POST /passkey/register/begin"} {
		hostileExercises[p] = "passkey-begin"
	}
	for _, p := range []string{"POST /login/passkey", "POST /mfa/passkey", "POST /passkey/register"} {
		hostileExercises[p] = "passkey-finish"
	}
	hostileExercises["GET /account/passkeys"] = "plain"
	hostileExercises["POST /account/passkeys/{id}/name"] = "passkey-manage"
	hostileExercises["POST /account/passkeys/{id}/remove"] = "passkey-manage"
}

// passkeyAgent is who sends a passkey route's requests: nobody for the
// sign-in and the second step (no session waits for one), a case worker
// without a second factor for registration (refused: only an enrolment
// link sets up the first).
func (e *hostile) passkeyAgent(rt web.Route) func() *agent {
	if strings.Contains(rt.Pattern, "/passkey/register") {
		a := e.as(access.CaseWorker)
		return func() *agent { return a }
	}
	return func() *agent { return e.agent(e.h) }
}

// passkeyBegin: the ceremony's options are asked for with hostile bodies
// and headers; an anonymous sign-in's options are given (a challenge is
// stored), the rest refused.
func (e *hostile) passkeyBegin(rt web.Route) {
	target := pathOf(rt.Pattern)
	o := fieldOpts{route: rt.Pattern, target: target, agent: e.passkeyAgent(rt), base: url.Values{}, fields: []string{"return"},
		writes: rt.Pattern == "POST /login/passkey/begin"}
	e.fields(o)
	e.bodies(o)
}

// passkeyFinish: hostile answers of an authenticator. No ceremony was
// begun, so every one is refused and nothing but its audit event is
// written.
func (e *hostile) passkeyFinish(rt web.Route) {
	target := pathOf(rt.Pattern)
	o := fieldOpts{route: rt.Pattern, target: target, agent: e.passkeyAgent(rt), base: url.Values{"credential": {`{"id":"x"}`}, "name": {"Key"}},
		fields: []string{"credential", "name"}, all: map[string]bool{"credential": true}, refuse: rt.Pattern == "POST /login/passkey"}
	e.fields(o)
	e.bodies(o)
}

// passkeyManage: renaming and removing passkeys that are not one's own or
// do not exist.
func (e *hostile) passkeyManage(rt web.Route) {
	a := e.as(access.CaseWorker)
	e.idValues(rt, a, url.Values{"name": {"Key"}})
	target := strings.Replace(pathOf(rt.Pattern), "{id}", "00000000000000000000000000000000", 1)
	o := fieldOpts{route: rt.Pattern, target: target, agent: func() *agent { return a }, base: url.Values{"name": {"Key"}},
		fields: []string{"name"}, refuse: true}
	e.fields(o)
	e.bodies(o)
}
