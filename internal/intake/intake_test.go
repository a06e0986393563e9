package intake

import (
	"errors"
	"fmt"
	"log/slog"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/haven-nrm/haven/internal/screening"
)

var now = time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)

func engine(t *testing.T) *screening.Engine {
	t.Helper()
	e, err := screening.DefaultEngine()
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func intp(n int) *int { return &n }

// base is a valid adult's referral, changed by mod.
func base(mod func(*Referral)) Referral {
	r := Referral{Sector: "labour_inspection", Age: intp(30), Gender: "Feminine", Citizenship: "NP", Languages: []string{"ne"},
		Exploitation: "labour", Acts: []string{"recruitment"}, Means: []string{"deception"}, Purposes: []string{"forced_labour"},
		Consent: ConsentGiven, ConsentLanguage: "ne", Identity: Identity{GivenName: "Test", FamilyName: "Person"}}
	mod(&r)
	return r
}

func TestCheckPlans(t *testing.T) {
	cases := []struct {
		name, rule string
		mod        func(*Referral)
		want       Plan
	}{
		{"adult with consent", "NRM: an adult must give informed consent to be referred (DOMAIN §3)",
			func(r *Referral) {}, Plan{Kind: KindReferral, Consent: ConsentGiven, StoreIdentity: true, AgeBand: "30-38"}},
		{"adult declines", "NRM: an adult who does not consent is reported by anonymous notification only (UK Duty to Notify, DOMAIN §3)",
			func(r *Referral) { r.Consent, r.Identity = ConsentDeclined, Identity{} }, Plan{Kind: KindAnonymousNotification, Consent: ConsentDeclined, AgeBand: "30-38"}},
		{"child needs no consent", "NRM: a child's referral needs no consent; the local authority is notified (DOMAIN §3)",
			func(r *Referral) { r.Age, r.Consent = intp(15), "" }, Plan{Kind: KindReferral, Child: true, Consent: ConsentNotRequired, StoreIdentity: true, NotifyChildProtection: true, RequestGuardian: true, AgeBand: "9-17"}},
		{"presumed child", "UNICEF presumption of age: unknown age with reason to believe a child → child",
			func(r *Referral) { r.Age, r.MayBeChild, r.Consent = nil, true, "" }, Plan{Kind: KindReferral, Child: true, Consent: ConsentNotRequired, StoreIdentity: true, NotifyChildProtection: true, RequestGuardian: true, AgeBand: "unknown"}},
		{"age from birth date", "Protocol art. 3(d): under 18 is a child — age derived from the birth date",
			func(r *Referral) { r.Age, r.Consent, r.Identity.BirthDate = nil, "", "2010-06-01" }, Plan{Kind: KindReferral, Child: true, Consent: ConsentNotRequired, StoreIdentity: true, NotifyChildProtection: true, RequestGuardian: true, AgeBand: "9-17"}},
		{"eighteenth birthday", "Protocol art. 3(d): a person of exactly 18 is an adult",
			func(r *Referral) { r.Age, r.Identity.BirthDate = nil, "2008-11-27" }, Plan{Kind: KindReferral, Consent: ConsentGiven, StoreIdentity: true, AgeBand: "18-20"}},
		{"self-referral", "Self-referral in the person's own language is a referral of its own kind",
			func(r *Referral) { r.Sector = "self_referral" }, Plan{Kind: KindSelfReferral, Consent: ConsentGiven, StoreIdentity: true, AgeBand: "30-38"}},
		{"urgent needs", "Immediate needs (medical, a bed tonight, danger, interpreter) make the referral urgent",
			func(r *Referral) { r.Needs = []string{"bed_tonight"} }, Plan{Kind: KindReferral, Consent: ConsentGiven, StoreIdentity: true, Urgent: true, AgeBand: "30-38"}},
	}
	eng := engine(t)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := Check(base(c.mod), eng, "NP", now)
			if err != nil {
				t.Fatalf("%s: %v", c.rule, err)
			}
			got.Screening, got.Age = screening.Result{}, nil
			if !reflect.DeepEqual(got, c.want) {
				t.Errorf("%s:\n got %+v\nwant %+v", c.rule, got, c.want)
			}
		})
	}
}

func TestCheckRefusesBadInput(t *testing.T) {
	cases := []struct {
		name, rule, field string
		mod               func(*Referral)
	}{
		{"unknown sector", "codes come from the sector list", "sector", func(r *Referral) { r.Sector = "astrology" }},
		{"unknown gender", "HTCDS prs_Gender values only", "gender", func(r *Referral) { r.Gender = "Robot" }},
		{"bad country", "ISO 3166-1 alpha-2", "citizenship", func(r *Referral) { r.Citizenship = "XX" }},
		{"lower-case country", "ISO 3166-1 alpha-2 is upper case", "citizenship", func(r *Referral) { r.Citizenship = "np" }},
		{"bad language", "ISO 639", "languages", func(r *Referral) { r.Languages = []string{"klingon"} }},
		{"unknown control", "HTCDS vic_MethodsOfControl", "methods_of_control", func(r *Referral) { r.MethodsOfControl = []string{"Hypnosis"} }},
		{"unknown act", "Protocol art. 3(a) acts", "acts", func(r *Referral) { r.Acts = []string{"teleportation"} }},
		{"unknown indicator", "indicator ids must exist in the profile", "indicators", func(r *Referral) { r.Indicators = []string{"deceptive_recruitment.nonsense"} }},
		{"130 years old", "contradictory facts: a birth date that makes the person 130", "birth_date", func(r *Referral) { r.Age, r.Identity.BirthDate = nil, "1896-01-01" }},
		{"age out of range", "ages run 0–120", "age", func(r *Referral) { r.Age = intp(131) }},
		{"age contradicts birth date", "contradictory facts: stated age and birth date differ", "age", func(r *Referral) { r.Identity.BirthDate = "2000-01-01" }},
		{"birth in the future", "a birth date cannot be after today", "birth_date", func(r *Referral) { r.Age, r.Identity.BirthDate = nil, "2027-01-01" }},
		{"adult without consent", "an adult's referral needs informed consent or an anonymous notification", "consent", func(r *Referral) { r.Consent = "" }},
		{"identity without consent", "an anonymous notification holds no identifying data", "consent", func(r *Referral) { r.Consent = ConsentDeclined }},
		{"consent language missing", "consent is recorded with its language", "consent_language", func(r *Referral) { r.ConsentLanguage = "" }},
		{"oversized narrative", "free text has limits", "narrative", func(r *Referral) { r.Identity.Narrative = strings.Repeat("x", MaxNarrativeLen+1) }},
		{"invalid UTF-8", "text must be valid UTF-8", "given_name", func(r *Referral) { r.Identity.GivenName = "\xff\xfe" }},
		{"control characters", "no control characters in names", "family_name", func(r *Referral) { r.Identity.FamilyName = "a\x00b" }},
		{"newline in a name", "a name is one line", "given_name", func(r *Referral) { r.Identity.GivenName = "a\nb" }},
		{"direction override", "no bidi overrides that disguise a name", "given_name", func(r *Referral) { r.Identity.GivenName = "abc\u202edcba" }},
		{"bad event date", "event dates are YYYY-MM or YYYY-MM-DD, not in the future", "events.0.date", func(r *Referral) { r.Events = []Event{{Type: "Recruitment", Date: "2030-01"}} }},
		{"unknown need", "needs come from the list", "needs", func(r *Referral) { r.Needs = []string{"pony"} }},
	}
	eng := engine(t)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Check(base(c.mod), eng, "NP", now)
			var fe Errors
			if !errors.As(err, &fe) || !fe.Has(c.field) {
				t.Fatalf("%s: got %v, want an error on %s", c.rule, err, c.field)
			}
		})
	}
}

func TestAgeBands(t *testing.T) {
	for age, want := range map[int]string{0: "0-8", 8: "0-8", 9: "9-17", 17: "9-17", 18: "18-20", 29: "27-29", 38: "30-38", 47: "39-47", 48: "48+"} {
		if got := AgeBand(intp(age)); got != want {
			t.Errorf("CTDC ageBroad: %d → %s, want %s", age, got, want)
		}
	}
}

func TestIdentityNeverPrinted(t *testing.T) {
	id := Identity{GivenName: "Canaryname"}
	var b strings.Builder
	fmt.Fprintf(&b, "%v %+v %s", id, id, id)
	slog.New(slog.NewTextHandler(&b, nil)).Info("x", "identity", id)
	if strings.Contains(b.String(), "Canaryname") {
		t.Fatal("identity printed")
	}
}
