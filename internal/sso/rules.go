// Package sso signs people in through their institution's OpenID Connect
// identity provider (issue 17): the authorization-code flow with PKCE, a
// state and a nonce that are single-use and expire, ID tokens checked by
// github.com/coreos/go-oidc (never by hand), and the administrator's
// mapping from the provider's claims to a Haven agency and role.
//
// This file holds the pure rules: the mapping, the second-factor rule and
// the check of a provider's settings. service.go carries out the use cases.
package sso

import (
	"encoding/json"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/haven-nrm/haven/internal/access"
	"github.com/haven-nrm/haven/internal/errs"
)

// Rule maps one value of one claim to an agency and a role. Claim is a
// claim of the ID token ("groups", "roles", or any other whose value is a
// string or a list of strings), or "email_domain": the domain of a
// verified e-mail address.
type Rule struct {
	Claim  string `json:"claim"`
	Value  string `json:"value"`
	Agency string `json:"agency"`
	Role   string `json:"role"`
}

// Claims are what Haven reads from a verified ID token.
type Claims struct {
	Subject           string
	Email             string
	EmailVerified     bool
	PreferredUsername string
	Name              string
	AMR               []string
	ACR               string
	// Raw holds every claim, for the mapping.
	Raw map[string]any
}

// values returns the strings of claim name: a string, or the strings of a
// list; "email_domain" is the domain of a verified e-mail address only,
// because an unverified address can be anyone's.
func (c Claims) values(name string) []string {
	if name == "email_domain" {
		if !c.EmailVerified {
			return nil
		}
		_, dom, ok := strings.Cut(c.Email, "@")
		if !ok || dom == "" {
			return nil
		}
		return []string{strings.ToLower(dom)}
	}
	switch v := c.Raw[name].(type) {
	case string:
		return []string{v}
	case []any:
		var out []string
		for _, e := range v {
			if s, ok := e.(string); ok {
				out = append(out, s)
			}
		}
		return out
	case []string:
		return v
	}
	return nil
}

// Match is the first rule whose claim holds its value, and whether one
// does. Rules are tried in the order the administrator wrote them, so a
// narrower group can come before a wider one.
func Match(rules []Rule, c Claims) (Rule, bool) {
	for _, r := range rules {
		want := r.Value
		if r.Claim == "email_domain" {
			want = strings.ToLower(want)
		}
		if slices.Contains(c.values(r.Claim), want) {
			return r, true
		}
	}
	return Rule{}, false
}

// SatisfiesMFA reports whether the provider's proof of authentication
// counts as Haven's second factor: only when the administrator listed
// values (RFC 8176 amr values such as "mfa", "hwk", "otp", or an acr) and
// the token carries one of them. An empty list never satisfies it, so
// Haven asks for its own factor.
func SatisfiesMFA(accepted []string, amr []string, acr string) bool {
	for _, v := range accepted {
		if v != "" && (slices.Contains(amr, v) || v == acr) {
			return true
		}
	}
	return false
}

// Outcome is what the mapping decides about a sign-in.
type Outcome struct {
	// Refused is a reason code when the person may not come in:
	// "unmapped" (no rule matches), "disabled" (the Haven account is
	// disabled), "no_provisioning" (no account is linked and the provider
	// may not create one).
	Refused string
	// Provision: create the account with AgencyID and Role.
	Provision      bool
	AgencyID, Role string
	Username, Name string
	MFA            bool
}

// Linked is what the rule needs of an account already linked to the
// subject.
type Linked struct {
	Found    bool
	Disabled bool
}

// Provider is what the rule needs of a provider's settings.
type Provider struct {
	Rules     []Rule
	MFAValues []string
	Provision bool
}

// Decide applies a provider's settings to verified claims and the account
// linked to the subject, if any. A disabled Haven account stays out
// whatever the provider says. Every sign-in must still match a rule, so
// removing someone from the provider's group shuts them out of Haven; a
// linked account keeps the agency and role Haven has (an administrator
// may have changed them), a new one takes the rule's.
func Decide(p Provider, c Claims, l Linked) Outcome {
	if l.Found && l.Disabled {
		return Outcome{Refused: "disabled"}
	}
	r, ok := Match(p.Rules, c)
	if !ok {
		return Outcome{Refused: "unmapped"}
	}
	o := Outcome{MFA: SatisfiesMFA(p.MFAValues, c.AMR, c.ACR)}
	if l.Found {
		return o
	}
	if !p.Provision {
		return Outcome{Refused: "no_provisioning"}
	}
	o.Provision, o.AgencyID, o.Role = true, r.Agency, r.Role
	o.Username = usernameOf(c)
	if o.Username == "" {
		return Outcome{Refused: "no_username"}
	}
	o.Name = strings.TrimSpace(c.Name)
	if o.Name == "" || len(o.Name) > 200 {
		o.Name = o.Username
	}
	return o
}

var usernameChars = regexp.MustCompile(`^[A-Za-z0-9._@+-]{1,100}$`)

// usernameOf is the user name of a provisioned account: the provider's
// preferred user name, else a verified e-mail address; "" when neither is
// usable.
func usernameOf(c Claims) string {
	for _, s := range []string{c.PreferredUsername, verified(c)} {
		s = strings.ToLower(strings.TrimSpace(s))
		if usernameChars.MatchString(s) {
			return s
		}
	}
	return ""
}

func verified(c Claims) string {
	if c.EmailVerified {
		return c.Email
	}
	return ""
}

// Settings are a provider's settings as an administrator enters them.
type Settings struct {
	Name, JurisdictionID, AgencyID string
	Issuer, ClientID               string
	SecretEnv, SecretFile          string
	Scopes, MFAValues              []string
	Rules                          []Rule
	Provision, Enabled             bool
}

var (
	envName  = regexp.MustCompile(`^HAVEN_SSO_[A-Z0-9_]{1,60}$`)
	fileName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$`)
	word     = regexp.MustCompile(`^[\x21-\x7e]{1,100}$`)
)

// Check refuses settings that cannot work or are unsafe, naming the
// field: an issuer that is not an https URL (http only on loopback, for
// tests and a provider on the same machine), a secret from anywhere but an
// environment variable HAVEN_SSO_… or a file name in <data>/sso/ (never a
// path: the secret is sent to the issuer, so an administrator must not be
// able to send any file of the server there), scopes without "openid", a
// rule with an unknown role or without an agency, or an agency rule
// outside the provider's own agency. agencyIn says whether an agency is
// in the provider's jurisdiction.
func Check(s Settings, agencyIn func(agencyID string) bool) error {
	if n := strings.TrimSpace(s.Name); n == "" || len(n) > 100 || !plain(n) {
		return errs.Field("name", "sso.error.name", nil)
	}
	if !issuerOK(s.Issuer) {
		return errs.Field("issuer", "sso.error.issuer", nil)
	}
	if !word.MatchString(s.ClientID) {
		return errs.Field("client_id", "sso.error.client_id", nil)
	}
	switch {
	case s.SecretEnv != "" && s.SecretFile != "":
		return errs.Field("secret_env", "sso.error.secret_one", nil)
	case s.SecretEnv != "" && !envName.MatchString(s.SecretEnv):
		return errs.Field("secret_env", "sso.error.secret_env", nil)
	case s.SecretFile != "" && !fileName.MatchString(s.SecretFile):
		return errs.Field("secret_file", "sso.error.secret_file", nil)
	}
	if !slices.Contains(s.Scopes, "openid") || len(s.Scopes) > 20 {
		return errs.Field("scopes", "sso.error.scopes", nil)
	}
	for _, sc := range s.Scopes {
		if !word.MatchString(sc) {
			return errs.Field("scopes", "sso.error.scopes", nil)
		}
	}
	for _, v := range s.MFAValues {
		if !word.MatchString(v) {
			return errs.Field("mfa_values", "sso.error.mfa_values", nil)
		}
	}
	if len(s.Rules) == 0 || len(s.Rules) > 100 {
		return errs.Field("mapping", "sso.error.mapping", nil)
	}
	for _, r := range s.Rules {
		if !word.MatchString(r.Claim) || r.Value == "" || len(r.Value) > 200 || !plain(r.Value) || !access.Role(r.Role).Valid() || !word.MatchString(r.Agency) {
			return errs.Field("mapping", "sso.error.mapping", nil)
		}
		if (s.AgencyID != "" && r.Agency != s.AgencyID) || !agencyIn(r.Agency) {
			return errs.Field("mapping", "sso.error.mapping_agency", nil)
		}
	}
	return nil
}

// plain reports whether s is valid UTF-8 without control characters.
func plain(s string) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if unicode.IsControl(r) {
			return false
		}
	}
	return true
}

func issuerOK(s string) bool {
	u, err := url.Parse(s)
	if err != nil || u.User != nil || u.RawQuery != "" || u.Fragment != "" || len(s) > 300 {
		return false
	}
	switch u.Scheme {
	case "https":
		return u.Host != ""
	case "http":
		h := u.Hostname()
		return h == "127.0.0.1" || h == "::1" || h == "localhost"
	}
	return false
}

// ParseRules reads the mapping as an administrator types it, one rule a
// line: "claim value agency-id role" (for example
// "groups haven-caseworkers 3f… case_worker"). Blank lines and lines
// starting with # are skipped.
func ParseRules(text string) ([]Rule, error) {
	var out []Rule
	for _, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		f := strings.Fields(line)
		if len(f) != 4 {
			return nil, errs.Field("mapping", "sso.error.mapping", nil)
		}
		out = append(out, Rule{Claim: f[0], Value: f[1], Agency: f[2], Role: f[3]})
	}
	return out, nil
}

// FormatRules is the text ParseRules reads.
func FormatRules(rules []Rule) string {
	var b strings.Builder
	for _, r := range rules {
		b.WriteString(r.Claim + " " + r.Value + " " + r.Agency + " " + r.Role + "\n")
	}
	return b.String()
}

// EncodeRules and DecodeRules are the stored form of the mapping.
func EncodeRules(rules []Rule) string {
	b, _ := json.Marshal(rules)
	return string(b)
}

// DecodeRules reads the stored mapping.
func DecodeRules(s string) ([]Rule, error) {
	var out []Rule
	if err := json.Unmarshal([]byte(s), &out); err != nil {
		return nil, errs.Wrap(errs.Internal, err)
	}
	return out, nil
}
