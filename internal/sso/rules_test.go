package sso

import (
	"errors"
	"testing"

	"github.com/haven-nrm/haven/internal/errs"
)

var rules = []Rule{
	{Claim: "groups", Value: "haven-authority", Agency: "ag-ca", Role: "competent_authority"},
	{Claim: "groups", Value: "haven-caseworkers", Agency: "ag-ngo", Role: "case_worker"},
	{Claim: "email_domain", Value: "Police.Example", Agency: "ag-police", Role: "police_investigator"},
}

func claims(groups []any, email string, verified bool) Claims {
	return Claims{Subject: "s1", Email: email, EmailVerified: verified, PreferredUsername: "kim", Raw: map[string]any{"groups": groups}}
}

// The mapping: the first rule the claims satisfy, in the administrator's
// order (issue 17: "a mapping from the provider's claims (groups, roles,
// e-mail domain) to Haven's agency and roles").
func TestMatch(t *testing.T) {
	for _, c := range []struct {
		name string
		c    Claims
		want string // role, "" for no match
	}{
		{"group in a list", claims([]any{"staff", "haven-caseworkers"}, "", false), "case_worker"},
		{"first rule wins", claims([]any{"haven-caseworkers", "haven-authority"}, "", false), "competent_authority"},
		{"group as one string", Claims{Raw: map[string]any{"groups": "haven-caseworkers"}}, "case_worker"},
		{"no group matches", claims([]any{"staff"}, "", false), ""},
		{"verified e-mail domain, any case", claims(nil, "kim@POLICE.example", true), "police_investigator"},
		{"unverified e-mail domain does not count", claims(nil, "kim@police.example", false), ""},
		{"group values are exact", claims([]any{"Haven-Caseworkers"}, "", false), ""},
		{"a number is not a group", Claims{Raw: map[string]any{"groups": []any{1.0}}}, ""},
	} {
		r, ok := Match(rules, c.c)
		if got := map[bool]string{true: r.Role}[ok]; got != c.want {
			t.Errorf("%s: matched %q, want %q", c.name, got, c.want)
		}
	}
}

// The provider's amr/acr satisfies Haven's MFA rule only when the
// administrator says which values do (issue 17; RFC 8176 amr values).
func TestSatisfiesMFA(t *testing.T) {
	for _, c := range []struct {
		accepted, amr []string
		acr           string
		want          bool
	}{
		{nil, []string{"pwd", "mfa"}, "", false},
		{[]string{"mfa"}, []string{"pwd", "mfa"}, "", true},
		{[]string{"mfa"}, []string{"pwd"}, "", false},
		{[]string{"hwk", "otp"}, []string{"otp"}, "", true},
		{[]string{"http://schemas.openid.net/pape/policies/2007/06/multi-factor"}, nil, "http://schemas.openid.net/pape/policies/2007/06/multi-factor", true},
		{[]string{""}, nil, "", false},
	} {
		if got := SatisfiesMFA(c.accepted, c.amr, c.acr); got != c.want {
			t.Errorf("SatisfiesMFA(%v, %v, %q) = %v, want %v", c.accepted, c.amr, c.acr, got, c.want)
		}
	}
}

// Decide: provisioning only where the mapping allows it; a disabled Haven
// user stays out whatever the provider says; removal from the group shuts
// a linked account out too.
func TestDecide(t *testing.T) {
	mapped := claims([]any{"haven-caseworkers"}, "kim@ngo.example", true)
	p := Provider{Rules: rules, MFAValues: []string{"mfa"}, Provision: true}
	for _, c := range []struct {
		name string
		p    Provider
		c    Claims
		l    Linked
		want Outcome
	}{
		{"provisioned", p, mapped, Linked{}, Outcome{Provision: true, AgencyID: "ag-ngo", Role: "case_worker", Username: "kim", Name: "kim"}},
		{"linked account signs in", p, mapped, Linked{Found: true}, Outcome{}},
		{"linked and disabled", p, mapped, Linked{Found: true, Disabled: true}, Outcome{Refused: "disabled"}},
		{"linked but no longer mapped", p, claims([]any{"staff"}, "", false), Linked{Found: true}, Outcome{Refused: "unmapped"}},
		{"unmapped", p, claims([]any{"staff"}, "", false), Linked{}, Outcome{Refused: "unmapped"}},
		{"provider may not provision", Provider{Rules: rules}, mapped, Linked{}, Outcome{Refused: "no_provisioning"}},
		{"mfa proof counted", p, func() Claims { c := mapped; c.AMR = []string{"pwd", "mfa"}; return c }(), Linked{Found: true}, Outcome{MFA: true}},
		{"no usable user name", p, Claims{Raw: map[string]any{"groups": []any{"haven-caseworkers"}}, PreferredUsername: "a b"}, Linked{}, Outcome{Refused: "no_username"}},
		{"verified e-mail as user name", p, Claims{Email: "Kim@ngo.example", EmailVerified: true, Raw: map[string]any{"groups": []any{"haven-caseworkers"}}}, Linked{},
			Outcome{Provision: true, AgencyID: "ag-ngo", Role: "case_worker", Username: "kim@ngo.example", Name: "kim@ngo.example"}},
	} {
		if got := Decide(c.p, c.c, c.l); got != c.want {
			t.Errorf("%s: %+v, want %+v", c.name, got, c.want)
		}
	}
}

func TestCheck(t *testing.T) {
	good := Settings{Name: "Ministry", JurisdictionID: "j1", Issuer: "https://login.microsoftonline.com/tid/v2.0", ClientID: "c1",
		SecretEnv: "HAVEN_SSO_MINISTRY", Scopes: []string{"openid", "profile"}, Rules: rules[1:2], Enabled: true}
	in := func(id string) bool { return id != "ag-elsewhere" }
	if err := Check(good, in); err != nil {
		t.Fatalf("good settings refused: %v", err)
	}
	for _, c := range []struct {
		name  string
		edit  func(*Settings)
		field string
	}{
		{"plain http issuer", func(s *Settings) { s.Issuer = "http://idp.example.org" }, "issuer"},
		{"issuer with credentials", func(s *Settings) { s.Issuer = "https://u:p@idp.example.org" }, "issuer"},
		{"secret from a path", func(s *Settings) { s.SecretEnv, s.SecretFile = "", "../master.key" }, "secret_file"},
		{"secret from any variable", func(s *Settings) { s.SecretEnv = "HAVEN_MASTER_KEY" }, "secret_env"},
		{"both secrets", func(s *Settings) { s.SecretFile = "ministry" }, "secret_env"},
		{"no openid scope", func(s *Settings) { s.Scopes = []string{"profile"} }, "scopes"},
		{"unknown role", func(s *Settings) { s.Rules = []Rule{{Claim: "groups", Value: "x", Agency: "ag-ngo", Role: "root"}} }, "mapping"},
		{"agency of another jurisdiction", func(s *Settings) {
			s.Rules = []Rule{{Claim: "groups", Value: "x", Agency: "ag-elsewhere", Role: "case_worker"}}
		}, "mapping"},
		{"agency provider maps to another agency", func(s *Settings) { s.AgencyID = "ag-ca" }, "mapping"},
		{"no rules", func(s *Settings) { s.Rules = nil }, "mapping"},
		{"control character in name", func(s *Settings) { s.Name = "a\x00b" }, "name"},
	} {
		s := good
		c.edit(&s)
		err := Check(s, in)
		var e *errs.Error
		if err == nil || !errors.As(err, &e) || e.Field != c.field {
			t.Errorf("%s: %v, want a refusal of %s", c.name, err, c.field)
		}
	}
	if err := Check(Settings{Name: "Local", JurisdictionID: "j1", Issuer: "http://127.0.0.1:5556/dex", ClientID: "c",
		Scopes: []string{"openid"}, Rules: rules[1:2]}, in); err != nil {
		t.Errorf("loopback http issuer refused: %v", err)
	}
}

func TestParseRules(t *testing.T) {
	rs, err := ParseRules("# comment\n\ngroups haven-caseworkers ag-ngo case_worker\n  email_domain police.example ag-police police_investigator  \n")
	if err != nil || len(rs) != 2 || rs[1].Agency != "ag-police" {
		t.Fatalf("%v %v", rs, err)
	}
	if _, err := ParseRules("groups only-three fields"); err == nil {
		t.Fatal("a three-field rule was read")
	}
	back, _ := ParseRules(FormatRules(rs))
	if len(back) != 2 || back[0] != rs[0] {
		t.Fatal("FormatRules does not round-trip")
	}
}
