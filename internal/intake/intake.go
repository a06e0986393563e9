// Package intake holds the rules of a first responder's referral: what must
// be given, which codes are valid, when consent is needed, when only an
// anonymous notification may be kept, what makes a referral urgent and who
// must be notified. It is pure: it checks a Referral and returns a Plan of
// what to store; the store and the web layer carry it out.
package intake

import (
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/haven-nrm/haven/internal/screening"
	"github.com/haven-nrm/haven/internal/vocab"
)

// Limits on free text; longer input is refused, never cut.
const (
	MaxNameLen      = 200
	MaxDocumentLen  = 64
	MaxPhoneLen     = 32
	MaxAddressLen   = 500
	MaxNarrativeLen = 8000
	MaxAge          = 120
	MaxEvents       = 12
)

// Referral is what a first responder records. Identifying data is in
// Identity; everything else is coded.
type Referral struct {
	Sector string `json:"sector"`
	// Person: coded facts about the person.
	Age          *int     `json:"age"`
	MayBeChild   bool     `json:"may_be_child"`
	Gender       string   `json:"gender"`
	Citizenship  string   `json:"citizenship"`
	Languages    []string `json:"languages"`
	Exploitation string   `json:"exploitation"`
	// Protocol facts and indicators, as the screening engine takes them.
	Acts       []string                 `json:"acts"`
	Means      []string                 `json:"means"`
	Purposes   []string                 `json:"purposes"`
	Unknown    []string                 `json:"unknown"`
	Indicators []string                 `json:"indicators"`
	Smuggling  screening.SmugglingFacts `json:"smuggling"`
	// HTCDS coded context.
	MethodsOfControl  []string `json:"methods_of_control"`
	ExploitationTypes []string `json:"exploitation_types"`
	Industry          string   `json:"industry"`
	RecruiterRelation string   `json:"recruiter_relation"`
	Events            []Event  `json:"events"`
	// Needs flagged now: medical, bed_tonight, danger, interpreter.
	Needs []string `json:"needs"`
	// Consent of an adult: "given" or "declined". Not needed for a child.
	Consent         string `json:"consent"`
	ConsentLanguage string `json:"consent_language"`
	// Identity holds the identifying data; allowed only with consent or for
	// a child.
	Identity Identity `json:"identity"`
}

// Event is a stage of the trafficking chain (HTCDS historic event).
type Event struct {
	Type    string `json:"type"`
	Country string `json:"country"`
	Date    string `json:"date"` // YYYY-MM or YYYY-MM-DD
}

// Identity is identifying data: sealed before it is stored, never logged.
type Identity struct {
	GivenName      string `json:"given_name"`
	FamilyName     string `json:"family_name"`
	BirthDate      string `json:"birth_date"` // YYYY-MM-DD
	DocumentNumber string `json:"document_number"`
	Phone          string `json:"phone"`
	Address        string `json:"address"`
	Narrative      string `json:"narrative"`
}

// Empty reports whether no identifying field is filled.
func (id Identity) Empty() bool { return id == Identity{} }

// Fields lists the identity fields by their stored names, for sealing.
func (id Identity) Fields() map[string]string {
	return map[string]string{"given_name": id.GivenName, "family_name": id.FamilyName, "birth_date": id.BirthDate,
		"document_number": id.DocumentNumber, "phone": id.Phone, "address": id.Address, "narrative": id.Narrative}
}

// String and LogValue keep identifying data out of logs and error text.
func (id Identity) String() string { return "[redacted]" }

// LogValue implements slog.LogValuer.
func (id Identity) LogValue() slog.Value { return slog.StringValue("[redacted]") }

// FieldError is a problem with one field, with a translation key for the
// message shown next to it.
type FieldError struct {
	Field string
	Key   string
	Code  string // the offending code, when there is one
}

// Errors is every problem found; a referral with errors stores nothing.
type Errors []FieldError

func (e Errors) Error() string {
	parts := make([]string, len(e))
	for i, f := range e {
		parts[i] = f.Field + ": " + f.Key
	}
	return "invalid referral: " + strings.Join(parts, "; ")
}

// Has reports whether field has an error.
func (e Errors) Has(field string) bool {
	return slices.ContainsFunc(e, func(f FieldError) bool { return f.Field == field })
}

// Kinds of record a referral produces.
const (
	KindReferral              = "referral"
	KindSelfReferral          = "self_referral"
	KindAnonymousNotification = "anonymous_notification"
)

// Consent values.
const (
	ConsentGiven       = "given"
	ConsentDeclined    = "declined"
	ConsentNotRequired = "not_required_child"
)

// Plan is what a valid referral leads to.
type Plan struct {
	Kind string
	// Child is true for a person under 18 or presumed to be (art. 3(d) and
	// the presumption of age).
	Child bool
	// Consent is given, declined or not_required_child.
	Consent string
	// StoreIdentity is false for an anonymous notification: no person,
	// no identifying data, no case.
	StoreIdentity bool
	// Urgent referrals go to the top of the authority's queue.
	Urgent bool
	// NotifyChildProtection and RequestGuardian apply to children.
	NotifyChildProtection bool
	RequestGuardian       bool
	// Age is the stated age or the one derived from the birth date.
	Age *int
	// AgeBand is the CTDC age band derived from the age (or "unknown").
	AgeBand string
	// Screening is the engine's result on the coded facts.
	Screening screening.Result
}

// ScreeningCase is the coded part of the referral as the engine takes it.
func (r Referral) ScreeningCase() screening.Case {
	return screening.Case{Age: r.Age, MayBeChild: r.MayBeChild, Exploitation: r.Exploitation, Acts: r.Acts, Means: r.Means,
		Purposes: r.Purposes, Unknown: r.Unknown, Indicators: r.Indicators, Smuggling: r.Smuggling}
}

// Check validates a referral and plans what to store. now is used to turn a
// birth date into an age. jurisdiction is the country code whose national
// legal profile applies. A referral with any error returns Errors and no
// plan.
func Check(r Referral, eng *screening.Engine, jurisdiction string, now time.Time) (Plan, error) {
	var errs Errors
	add := func(field, key, code string) { errs = append(errs, FieldError{field, key, code}) }

	if !vocab.Sectors.Has(r.Sector) {
		add("sector", "intake.error.sector", r.Sector)
	}
	if r.Gender != "" && !vocab.Genders.Has(r.Gender) {
		add("gender", "intake.error.code", r.Gender)
	}
	if r.Citizenship != "" && !vocab.ValidCountry(r.Citizenship) {
		add("citizenship", "intake.error.country", r.Citizenship)
	}
	for _, l := range r.Languages {
		if !vocab.ValidLanguage(l) {
			add("languages", "intake.error.language", l)
		}
	}
	for _, c := range r.MethodsOfControl {
		if !vocab.MethodsOfControl.Has(c) {
			add("methods_of_control", "intake.error.code", c)
		}
	}
	for _, c := range r.ExploitationTypes {
		if !vocab.ExploitationTypes.Has(c) {
			add("exploitation_types", "intake.error.code", c)
		}
	}
	if r.Industry != "" && !vocab.Industries.Has(r.Industry) {
		add("industry", "intake.error.code", r.Industry)
	}
	if r.RecruiterRelation != "" && !vocab.RecruiterRelations.Has(r.RecruiterRelation) {
		add("recruiter_relation", "intake.error.code", r.RecruiterRelation)
	}
	for _, n := range r.Needs {
		if !vocab.Needs.Has(n) {
			add("needs", "intake.error.code", n)
		}
	}
	if len(r.Events) > MaxEvents {
		add("events", "intake.error.too_many", "")
	}
	for i, e := range r.Events {
		f := fmt.Sprintf("events.%d", i)
		if !vocab.EventTypes.Has(e.Type) {
			add(f+".type", "intake.error.code", e.Type)
		}
		if e.Country != "" && !vocab.ValidCountry(e.Country) {
			add(f+".country", "intake.error.country", e.Country)
		}
		if e.Date != "" && !validPartialDate(e.Date, now) {
			add(f+".date", "intake.error.date", "")
		}
	}

	// Age: a stated age and a birth date must agree with reality and each
	// other.
	age := r.Age
	if age != nil && (*age < 0 || *age > MaxAge) {
		add("age", "intake.error.age_range", "")
		age = nil
	}
	if r.Identity.BirthDate != "" {
		bd, err := time.Parse("2006-01-02", r.Identity.BirthDate)
		switch {
		case err != nil:
			add("birth_date", "intake.error.date", "")
		case bd.After(now):
			add("birth_date", "intake.error.birth_future", "")
		default:
			years := yearsBetween(bd, now)
			if years > MaxAge {
				add("birth_date", "intake.error.age_range", "")
			} else if age != nil && abs(*age-years) > 1 {
				add("age", "intake.error.age_mismatch", "")
			} else if age == nil {
				age = &years
			}
		}
	}

	// Free text limits (characters, not bytes) and valid UTF-8.
	for field, v := range map[string]struct {
		s   string
		max int
	}{"given_name": {r.Identity.GivenName, MaxNameLen}, "family_name": {r.Identity.FamilyName, MaxNameLen},
		"document_number": {r.Identity.DocumentNumber, MaxDocumentLen}, "phone": {r.Identity.Phone, MaxPhoneLen},
		"address": {r.Identity.Address, MaxAddressLen}, "narrative": {r.Identity.Narrative, MaxNarrativeLen},
		"consent_language": {r.ConsentLanguage, 3}} {
		multiline := field == "narrative" || field == "address"
		if !utf8.ValidString(v.s) {
			add(field, "intake.error.encoding", "")
		} else if utf8.RuneCountInString(v.s) > v.max {
			add(field, "intake.error.too_long", "")
		} else if strings.ContainsFunc(v.s, isControl) || (!multiline && strings.ContainsAny(v.s, "\r\n\t")) {
			add(field, "intake.error.control_chars", "")
		} else if strings.ContainsFunc(v.s, isBidiOverride) {
			// Direction overrides can make a name display as another.
			add(field, "intake.error.control_chars", "")
		}
	}

	// The screening engine checks the Protocol codes and indicator ids.
	sc := r.ScreeningCase()
	sc.Age = age
	if r.Exploitation != "" && r.Exploitation != "labour" && r.Exploitation != "sexual" {
		add("exploitation", "intake.error.code", r.Exploitation)
		sc.Exploitation = ""
	}
	var res screening.Result
	if len(errs) == 0 {
		var err error
		res, err = eng.Screen(sc, screening.Options{Jurisdiction: jurisdiction})
		if ie, ok := err.(*screening.InputError); ok {
			add(ie.Field, "intake.error.code", ie.Code)
		} else if err != nil {
			add("screening", "intake.error.screening", "")
		}
	}

	child := (age != nil && *age < screening.ProtocolAdultAge) || (age == nil && r.MayBeChild)
	plan := Plan{Child: child, Age: age, AgeBand: AgeBand(age), Screening: res}
	switch {
	case child:
		plan.Consent = ConsentNotRequired
		plan.StoreIdentity = true
		plan.NotifyChildProtection = true
		plan.RequestGuardian = true
	case r.Consent == ConsentGiven:
		plan.Consent = ConsentGiven
		plan.StoreIdentity = true
		if !vocab.ValidLanguage(r.ConsentLanguage) {
			add("consent_language", "intake.error.consent_language", r.ConsentLanguage)
		}
	case r.Consent == ConsentDeclined:
		// An adult who does not consent is reported anonymously: coded
		// facts only. Identifying data offered anyway is refused rather
		// than silently dropped, so nobody believes it was kept.
		plan.Consent = ConsentDeclined
		if !r.Identity.Empty() {
			add("consent", "intake.error.identity_without_consent", "")
		}
	default:
		add("consent", "intake.error.consent_required", "")
	}
	switch {
	case !plan.StoreIdentity:
		plan.Kind = KindAnonymousNotification
	case r.Sector == "self_referral":
		plan.Kind = KindSelfReferral
	default:
		plan.Kind = KindReferral
	}
	plan.Urgent = len(r.Needs) > 0
	if len(errs) > 0 {
		return Plan{}, errs
	}
	return plan, nil
}

// isBidiOverride reports the explicit direction embeddings, overrides and
// isolates (U+202A–U+202E, U+2066–U+2069).
func isBidiOverride(r rune) bool {
	return (r >= 0x202a && r <= 0x202e) || (r >= 0x2066 && r <= 0x2069)
}

func isControl(r rune) bool {
	return (r < 0x20 && r != '\n' && r != '\r' && r != '\t') || r == 0x7f || (r >= 0x80 && r < 0xa0)
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

// yearsBetween is the age in whole years on now of someone born on bd.
func yearsBetween(bd, now time.Time) int {
	y := now.Year() - bd.Year()
	if now.Month() < bd.Month() || (now.Month() == bd.Month() && now.Day() < bd.Day()) {
		y--
	}
	return y
}

func validPartialDate(s string, now time.Time) bool {
	for _, layout := range []string{"2006-01-02", "2006-01"} {
		if t, err := time.Parse(layout, s); err == nil {
			return !t.After(now) && t.Year() >= now.Year()-MaxAge
		}
	}
	return false
}

// ageBands are the CTDC age bands below 48, each by its oldest age.
var ageBands = []struct {
	oldest int
	band   string
}{{8, "0-8"}, {17, "9-17"}, {20, "18-20"}, {23, "21-23"}, {26, "24-26"}, {29, "27-29"}, {38, "30-38"}, {47, "39-47"}}

// AgeBand maps an age to the CTDC age bands (0–8, 9–17, 18–20, 21–23, 24–26,
// 27–29, 30–38, 39–47, 48+), the grouping used in published statistics.
func AgeBand(age *int) string {
	if age == nil {
		return "unknown"
	}
	for _, b := range ageBands {
		if *age <= b.oldest {
			return b.band
		}
	}
	return "48+"
}

// PrimaryExploitation is the HTCDS type recorded on the case: the first
// given, else one derived from the screening facts.
func (r Referral) PrimaryExploitation() string {
	if len(r.ExploitationTypes) > 0 {
		return r.ExploitationTypes[0]
	}
	switch {
	case slices.Contains(r.Purposes, "sexual_exploitation") || r.Exploitation == "sexual":
		return "SexualExploitation"
	case slices.Contains(r.Purposes, "forced_labour") || r.Exploitation == "labour":
		return "ForcedLabour"
	case slices.Contains(r.Purposes, "servitude") || slices.Contains(r.Purposes, "slavery") || slices.Contains(r.Purposes, "practices_similar_to_slavery"):
		return "Servitude"
	case slices.Contains(r.Purposes, "organ_removal"):
		return "OrganRemoval"
	case slices.Contains(r.Purposes, "forced_marriage"):
		return "ForcedMarriage"
	case slices.Contains(r.Purposes, "forced_begging"):
		return "ForcedBegging"
	}
	return "Other"
}
