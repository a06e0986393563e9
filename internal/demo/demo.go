// Package demo generates synthetic, clearly labelled demonstration data that
// looks like the world Haven is built for: four local jurisdictions (Pokhara,
// Ulaanbaatar, Kanchanaburi, Jeju), agencies of every kind that takes part in
// a referral mechanism, one user per role and any number of coded cases.
// Everything is reproducible from a seed number and every row is marked
// synthetic.
package demo

import (
	"context"
	crand "crypto/rand"
	"encoding/hex"
	"fmt"
	"math/big"
	"math/rand/v2"
	"slices"
	"strconv"
	"time"

	"github.com/haven-nrm/haven/internal/access"
	"github.com/haven-nrm/haven/internal/audit"
	"github.com/haven-nrm/haven/internal/auth"
	"github.com/haven-nrm/haven/internal/calendar"
	"github.com/haven-nrm/haven/internal/cases"
	"github.com/haven-nrm/haven/internal/casework"
	"github.com/haven-nrm/haven/internal/sso"
	"github.com/haven-nrm/haven/internal/store"
	"github.com/haven-nrm/haven/internal/support"
)

// Options control the generator.
type Options struct {
	Seed  uint64
	Cases int
	// Now anchors generated dates; cases spread over the three years
	// before it.
	Now time.Time
	// PasswordParams lets tests use cheap hashing.
	PasswordParams *auth.Params
	// Progress, if set, is called after each batch of cases.
	Progress func(done, total int)
	// Home is the ISO country code of the place whose agencies the demo
	// accounts belong to ("" for the first, Nepal): two linked demo
	// instances (haven demo --peers) each work as their own country.
	Home string
}

// placesFor lists the places with the home country's first.
func placesFor(home string) []place {
	out := slices.Clone(places)
	if i := slices.IndexFunc(out, func(p place) bool { return p.country == home }); i > 0 {
		out[0], out[i] = out[i], out[0]
	}
	return out
}

// Credential is a demo account to print for the person trying Haven.
type Credential struct {
	Username, Password string
	Role               access.Role
	Agency             string
}

// Result summarises what was generated.
type Result struct {
	Credentials   []Credential
	Jurisdictions int
	Agencies      int
	Cases         int
}

type place struct {
	code, country, name, timezone, short string
	citizenships                         []string
}

// The seed's case-study places. Citizenships are the countries whose
// nationals appear in each place's (synthetic) caseload.
var places = []place{
	{"NP-PKR", "NP", "Pokhara Metropolitan City", "Asia/Kathmandu", "Pokhara", []string{"NP", "NP", "NP", "IN", "BD"}},
	{"MN-UB", "MN", "Ulaanbaatar", "Asia/Ulaanbaatar", "Ulaanbaatar", []string{"MN", "MN", "MN", "CN", "KR"}},
	{"TH-KAN", "TH", "Kanchanaburi Province", "Asia/Bangkok", "Kanchanaburi", []string{"TH", "MM", "MM", "LA", "KH"}},
	{"KR-JEJ", "KR", "Jeju Special Self-Governing Province", "Asia/Seoul", "Jeju", []string{"KR", "VN", "PH", "TH", "UZ"}},
}

// AgencyKinds are the kinds of agency the seed names, plus the competent
// authority and the prosecution service of the referral mechanism.
var AgencyKinds = []struct{ Kind, Label string }{
	{"local_government", "Social Welfare Office"},
	{"police", "Police Anti-Trafficking Unit"},
	{"labour_inspection", "Labour Inspectorate"},
	{"health", "District Hospital"},
	{"education", "Education Office"},
	{"ngo", "Community Support NGO"},
	{"shelter_short_term", "Short-term Shelter"},
	{"shelter_long_term", "Long-term Shelter"},
	{"immigration", "Immigration Office"},
	{"competent_authority", "Competent Authority"},
	{"prosecution", "Public Prosecutor's Office"},
}

// designations are the parts each kind of demo agency has in the
// referral mechanism (the administration pages' designations): the
// social welfare office is the child-protection office.
var designations = map[string]string{
	"local_government": "child_protection,social_services", "police": "police", "labour_inspection": "labour_inspection",
	"health": "health", "ngo": "ngo", "shelter_short_term": "shelter", "shelter_long_term": "shelter", "immigration": "immigration",
	"competent_authority": "competent_authority", "prosecution": "prosecution",
}

// roleAgency is the agency kind each demo user works in.
var roleAgency = map[access.Role]string{
	access.FirstResponder:     "labour_inspection",
	access.CaseWorker:         "ngo",
	access.CompetentAuthority: "competent_authority",
	access.PoliceInvestigator: "police",
	access.Prosecutor:         "prosecution",
	access.ShelterStaff:       "shelter_short_term",
	access.ServiceProvider:    "health",
	access.Analyst:            "local_government",
	access.AgencyAdmin:        "ngo",
	access.SystemAdmin:        "local_government",
	access.LocalGovOfficer:    "local_government",
}

// Coded values, weighted by repetition to look plausible. Codes are HTCDS 2.0.
var (
	caseStatuses   = []string{"Active", "Active", "Active", "FollowUp", "Closed", "ClosedReferred"}
	trafStatuses   = []string{"PossibleVictimOfTrafficking", "PossibleVictimOfTrafficking", "ActualVictimOfTrafficking", "ActualVictimOfTrafficking", "NotAVictimOfTrafficking"}
	genders        = []string{"Feminine", "Feminine", "Feminine", "Masculine", "Masculine", "TransgenderFeminine", "NonSpecifiedUnknown"}
	ageBands       = []string{"0-8", "9-17", "9-17", "9-17", "18-20", "21-23", "24-26", "27-29", "30-38", "30-38", "39-47", "48+"}
	exploitations  = []string{"SexualExploitation", "SexualExploitation", "ForcedLabour", "ForcedLabour", "ForcedLabour", "ChildLabour", "ForcedMarriage", "Servitude", "ForcedBegging", "Other"}
	caseAgencyKind = []string{"ngo", "ngo", "shelter_short_term", "local_government", "police", "labour_inspection"}
)

// passwordAlphabet has no letters that are easily confused (0/o, 1/l/i).
const passwordAlphabet = "23456789abcdefghjkmnpqrstuvwxyz"

// NewPassword returns a demo account's password: four groups of five
// characters drawn with crypto/rand (about 99 bits). The seed decides the
// data, never the credentials: every demo installation has its own.
func NewPassword() string {
	b := make([]byte, 0, 23)
	for i := 0; i < 20; i++ {
		if i > 0 && i%5 == 0 {
			b = append(b, '-')
		}
		n, err := crand.Int(crand.Reader, big.NewInt(int64(len(passwordAlphabet))))
		if err != nil {
			panic("crypto/rand failed: " + err.Error())
		}
		b = append(b, passwordAlphabet[n.Int64()])
	}
	return string(b)
}

// Generate fills an empty, migrated database. The demo accounts get random
// passwords (NewPassword), returned in Result.Credentials.
func Generate(ctx context.Context, db *store.DB, o Options) (Result, error) {
	if o.Now.IsZero() {
		o.Now = time.Now().UTC()
	}
	params := auth.DefaultParams
	if o.PasswordParams != nil {
		params = *o.PasswordParams
	}
	rng := rand.New(rand.NewPCG(o.Seed, 0x6861_7665_6e00)) // "haven"
	id := func() string {
		var b [16]byte
		for i := 0; i < 16; i += 8 {
			v := rng.Uint64()
			for k := 0; k < 8; k++ {
				b[i+k] = byte(v >> (8 * k))
			}
		}
		return hex.EncodeToString(b[:])
	}
	created := store.Millis(o.Now)
	places := placesFor(o.Home)
	res := Result{Jurisdictions: len(places)}
	// agencies[place index][kind] = agency id
	agencies := make([]map[string]string, len(places))
	var workerID string  // the demo case worker records the synthetic casework
	var officerID string // the demo local government officer keeps Pokhara's records
	// calendars[place index] = its calendar version's id
	calendars := make([]string, len(places))
	var responderID string // the demo first responder makes the synthetic referrals
	err := db.Write(ctx, func(tx *store.Tx) error {
		if err := tx.SetSetting(ctx, "demo", "true"); err != nil {
			return err
		}
		if err := tx.SetSetting(ctx, "demo.seed", strconv.FormatUint(o.Seed, 10)); err != nil {
			return err
		}
		// One event records the whole synthetic load rather than one per
		// generated row.
		if err := tx.Audit(ctx, audit.Event{Action: "demo.generate", Reason: "synthetic",
			Details: map[string]string{"seed": strconv.FormatUint(o.Seed, 10), "cases": strconv.Itoa(o.Cases)}}); err != nil {
			return err
		}
		for i, p := range places {
			jid := id()
			if err := tx.InsertJurisdiction(ctx, store.Jurisdiction{ID: jid, Code: p.code, Country: p.country,
				Name: p.name + " (synthetic)", Timezone: p.timezone, Synthetic: true, CreatedAt: created}); err != nil {
				return err
			}
			agencies[i] = map[string]string{"_jurisdiction": jid}
			// Haven's sample holidays of the country, as `haven calendar
			// sample` loads them: the demo's deadlines count with them.
			if h, ok := calendar.Sample(p.country); ok {
				v := store.CalendarVersion{ID: id(), JurisdictionID: jid, Version: 1, Years: h.Years, Source: h.Source, Note: h.Note, CreatedAt: created}
				for _, d := range h.Holidays {
					v.Holidays = append(v.Holidays, store.CalendarDay{Day: d.Date, Name: d.Name})
				}
				if err := tx.InsertCalendarVersion(ctx, v); err != nil {
					return err
				}
				calendars[i] = v.ID
			}
			for _, k := range AgencyKinds {
				aid := id()
				agencies[i][k.Kind] = aid
				if err := tx.InsertAgency(ctx, store.Agency{ID: aid, JurisdictionID: jid, Kind: k.Kind,
					Name: fmt.Sprintf("%s %s (synthetic)", p.short, k.Label), Synthetic: true, CreatedAt: created}); err != nil {
					return err
				}
				if _, err := tx.ExecContext(ctx, `UPDATE agencies SET designations = $1 WHERE id = $2`, designations[k.Kind], aid); err != nil {
					return err
				}
				res.Agencies++
			}
		}
		// An example identity provider, disabled, so that the
		// administration page (/admin/sso) shows what a provider and its
		// claim mapping look like.
		if err := tx.InsertSSOProvider(ctx, store.SSOProvider{ID: id(), Name: "Example ministry identity provider (synthetic)",
			JurisdictionID: agencies[0]["_jurisdiction"], Issuer: "https://idp.example.org/realms/haven", ClientID: "haven",
			SecretEnv: "HAVEN_SSO_EXAMPLE", Scopes: "openid profile email", MFAValues: "mfa", Provision: true,
			Mapping: sso.EncodeRules([]sso.Rule{
				{Claim: "groups", Value: "haven-caseworkers", Agency: agencies[0][roleAgency[access.CaseWorker]], Role: string(access.CaseWorker)},
				{Claim: "groups", Value: "haven-first-responders", Agency: agencies[0][roleAgency[access.FirstResponder]], Role: string(access.FirstResponder)},
			})}); err != nil {
			return err
		}
		users := make([]access.Role, 0, len(access.Roles)+1)
		users = append(users, access.Roles...)
		// A second decider, so that a negative conclusive decision can be
		// reviewed by another person.
		users = append(users, access.CompetentAuthority)
		for n, role := range users {
			pw := NewPassword()
			hash, err := auth.HashPassword(pw, params)
			if err != nil {
				return err
			}
			username := "demo." + string(role)
			if n >= len(access.Roles) {
				username += ".reviewer"
			}
			agencyKind := roleAgency[role]
			u := store.User{ID: id(), Username: username, DisplayName: "Demo " + string(role) + " (synthetic)",
				PasswordHash: hash, Role: string(role), AgencyID: agencies[0][agencyKind], Synthetic: true,
				Email: username + "@example.org", CreatedAt: created, UpdatedAt: created}
			if err := tx.InsertUser(ctx, u); err != nil {
				return err
			}
			if role == access.CaseWorker && workerID == "" {
				workerID = u.ID
			}
			if role == access.LocalGovOfficer {
				officerID = u.ID
			}
			if role == access.FirstResponder {
				responderID = u.ID
			}
			res.Credentials = append(res.Credentials, Credential{Username: username, Password: pw, Role: role,
				Agency: places[0].short + " " + agencyKind})
		}
		return nil
	})
	if err != nil {
		return res, err
	}
	if err := LocalGovernments(ctx, db, rng, o.Now, agencies, officerID); err != nil {
		return res, err
	}
	countries, err := casework.DefaultCountries()
	if err != nil {
		return res, err
	}
	// Each place's rules: its country's profile counting with its calendar
	// version, which the records name.
	rules := make([]casework.Country, len(places))
	for pi := range places {
		if rules[pi], err = cases.LocalRules(ctx, db.R(), countries, agencies[pi]["_jurisdiction"], calendars[pi]); err != nil {
			return res, err
		}
	}
	// Cases go in batches so a million rows stream through bounded memory.
	const batch = 5000
	span := int64(3 * 365 * 24 * time.Hour / time.Millisecond)
	for done := 0; done < o.Cases; {
		n := min(batch, o.Cases-done)
		cs := make([]store.Case, n)
		docs := make([]store.SupportDoc, 0, n)
		var procs []process
		for i := range cs {
			pi := rng.IntN(len(places))
			p := places[pi]
			at := created - rng.Int64N(span)
			cs[i] = store.Case{
				ID: id(), Reference: fmt.Sprintf("%s-%07d", p.country, done+i+1),
				JurisdictionID: agencies[pi]["_jurisdiction"], AgencyID: agencies[pi][caseAgencyKind[rng.IntN(len(caseAgencyKind))]],
				Status: caseStatuses[rng.IntN(len(caseStatuses))], TraffickingStatus: trafStatuses[rng.IntN(len(trafStatuses))],
				Gender: genders[rng.IntN(len(genders))], AgeBand: ageBands[rng.IntN(len(ageBands))],
				Citizenship: p.citizenships[rng.IntN(len(p.citizenships))], Exploitation: exploitations[rng.IntN(len(exploitations))],
				Urgent: rng.IntN(20) == 0, Synthetic: true, Version: 1, CreatedAt: at, UpdatedAt: at,
			}
			cs[i].ExploitationCountry = exploitationCountry(rng, p.country)
			if err := decisions(rng, &cs[i], rules[pi], o.Now); err != nil {
				return res, err
			}
			pr, err := processOf(rng, cs[i], agencies[pi], responderID, workerID, o.Now)
			if err != nil {
				return res, err
			}
			procs = append(procs, pr)
			doc, err := earlySupport(rng, cs[i], workerID, agencies[pi]["health"], o.Now)
			if err != nil {
				return res, err
			}
			docs = append(docs, doc)
		}
		if err := db.WriteBookkeeping(ctx, store.Seed, func(tx *store.Tx) error {
			if err := tx.BulkInsertCases(ctx, cs); err != nil {
				return err
			}
			if err := tx.BulkInsertSupport(ctx, docs); err != nil {
				return err
			}
			for _, pr := range procs {
				if err := pr.save(ctx, tx); err != nil {
					return err
				}
			}
			return nil
		}); err != nil {
			return res, err
		}
		done += n
		res.Cases = done
		if o.Progress != nil {
			o.Progress(done, o.Cases)
		}
	}
	return res, nil
}

// personLanguages are the languages a synthetic person is informed in,
// by the country of the place.
var personLanguages = map[string][]string{"NP": {"ne", "ne", "hi"}, "MN": {"mn", "mn", "ru"}, "TH": {"th", "my", "lo"}, "KR": {"ko", "vi", "en"}}

// earlySupport gives a synthetic case what a presumed victim receives
// first, recorded by the demo case worker through the real rules: every
// case its initial referral; a case with a reasonable-grounds decision the
// five early steps, the six information items and consent to share the
// record with the place's hospital.
func earlySupport(rng *rand.Rand, c store.Case, worker, health string, now time.Time) (store.SupportDoc, error) {
	at := store.FromMillis(c.CreatedAt)
	country := c.Reference[:2]
	langs := personLanguages[country]
	lang := langs[rng.IntN(len(langs))]
	cl, err := support.NewChecklist(func() time.Time { return now })
	if err != nil {
		return store.SupportDoc{}, err
	}
	items := []support.Item{support.StepInitialReferral}
	decided := c.TraffickingStatus != casework.StatusPossible || now.Sub(at) > 30*24*time.Hour
	if decided {
		items = support.Items()
	}
	var entries []support.Entry
	for k, it := range items {
		when := notAfter(at.Add(time.Duration(k)*time.Hour), now)
		if err := cl.Record(it, worker, lang, when); err != nil {
			return store.SupportDoc{}, err
		}
		entries = append(entries, support.Entry{Item: it, By: worker, Language: lang, At: when})
	}
	var ledger support.Ledger
	if decided {
		if ledger, err = ledger.Record(support.ConsentEvent{Purpose: support.PurposeShareWithAgency, Recipient: health,
			Action: support.ConsentGiven, ByGuardian: c.Child, By: worker, At: notAfter(at.Add(2*time.Hour), now), Language: lang}, now); err != nil {
			return store.SupportDoc{}, err
		}
	}
	return cases.NewSupportDoc(c.ID, entries, ledger, notAfter(at.Add(time.Duration(len(items))*time.Hour), now)), nil
}

func notAfter(t, limit time.Time) time.Time {
	if t.After(limit) {
		return limit
	}
	return t
}

// decisions gives a synthetic case a decision record that agrees with its
// trafficking status, taken through the real rules: a possible victim
// awaits a reasonable-grounds decision (recent referrals) or a conclusive
// one; an actual victim has both; a person found not to be one has a
// negative reasonable-grounds decision. Open cases with a decision pending
// enter the authority's queue.
func decisions(rng *rand.Rand, c *store.Case, cfg casework.Country, now time.Time) error {
	c.Child = c.AgeBand == "0-8" || c.AgeBand == "9-17"
	at := store.FromMillis(c.CreatedAt)
	rec, _, err := casework.NewRecord(c.ID, at, c.Child, cfg)
	if err != nil {
		return err
	}
	by := "synthetic"
	step := func(f func(casework.Record) (casework.Record, []casework.Event, error)) {
		if err != nil {
			return
		}
		rec, _, err = f(rec)
	}
	// Up to two weeks: some decisions miss the deadline.
	rgAt := notAfter(at.Add(time.Duration(1+rng.IntN(14*24))*time.Hour), now)
	switch {
	case c.TraffickingStatus == casework.StatusNot:
		step(func(r casework.Record) (casework.Record, []casework.Event, error) {
			return casework.DecideReasonableGrounds(r, casework.Decision{ExpectedVersion: r.Version, By: by, Outcome: casework.RGNegative}, rgAt, cfg)
		})
		if rec.State == casework.StateRGNegativePendingReview {
			// A second person upholds it, where the settings ask for one.
			step(func(r casework.Record) (casework.Record, []casework.Event, error) {
				return casework.ReviewNegative(r, casework.Review{ExpectedVersion: r.Version, By: by + ".reviewer", Outcome: casework.ReviewUpheld},
					rgAt.Add(time.Hour), cfg)
			})
		}
	case c.TraffickingStatus == casework.StatusActual || now.Sub(at) > 30*24*time.Hour:
		step(func(r casework.Record) (casework.Record, []casework.Event, error) {
			return casework.DecideReasonableGrounds(r, casework.Decision{ExpectedVersion: r.Version, By: by, Outcome: casework.RGPositive}, rgAt, cfg)
		})
		if c.TraffickingStatus == casework.StatusActual {
			cgAt := rgAt.Add(time.Duration(30+rng.IntN(90)) * 24 * time.Hour)
			if cgAt.After(now) {
				cgAt = now
			}
			// Most conclusive decisions confirm; about one in six is
			// negative, taken after the consultations the country asks
			// for, so the decision rates have both sides.
			outcome := positiveOutcome(cfg, rng)
			if rng.IntN(6) == 0 {
				if neg, ok := negativeOutcome(cfg); ok {
					outcome = neg
					for _, party := range cfg.RequiredConsultations(c.Child) {
						step(func(r casework.Record) (casework.Record, []casework.Event, error) {
							return casework.RecordConsultation(r, casework.Consultation{ExpectedVersion: r.Version, By: by, Party: party}, cgAt.Add(-time.Hour), cfg)
						})
					}
				}
			}
			step(func(r casework.Record) (casework.Record, []casework.Event, error) {
				return casework.DecideConclusive(r, casework.Decision{ExpectedVersion: r.Version, By: by, Outcome: outcome}, cgAt, cfg)
			})
		}
	}
	// About a quarter of final negative reasonable-grounds decisions are
	// reconsidered at the person's request, and decided again.
	if err == nil && rec.State == casework.StateRGNegative && rng.IntN(4) == 0 {
		reqAt := rgAt.Add(time.Duration(2+rng.IntN(10)) * 24 * time.Hour)
		againAt := reqAt.Add(time.Duration(1+rng.IntN(10)) * 24 * time.Hour)
		if againAt.Before(now) {
			step(func(r casework.Record) (casework.Record, []casework.Event, error) {
				return casework.RequestReconsideration(r, casework.Reconsideration{ExpectedVersion: r.Version, By: by}, reqAt, cfg)
			})
			out := casework.RGNegative
			if rng.IntN(2) == 0 {
				out = casework.RGPositive
			}
			step(func(r casework.Record) (casework.Record, []casework.Event, error) {
				return casework.DecideReasonableGrounds(r, casework.Decision{ExpectedVersion: r.Version, By: by, Outcome: out}, againAt, cfg)
			})
		}
	}
	if err != nil {
		return err
	}
	dec, key, err := cases.EncodeRecord(rec, c.Urgent, now)
	if err != nil {
		return err
	}
	c.Decision, c.Version, c.TraffickingStatus = dec, rec.Version, rec.TraffickingStatus
	if c.Status == "Active" || c.Status == "FollowUp" {
		c.QueueKey = key
	}
	return nil
}

// positiveOutcome is one of the country's positive conclusive outcomes.
func positiveOutcome(cfg casework.Country, rng *rand.Rand) string {
	var pos []string
	for _, o := range cfg.ConclusiveOutcomes {
		if o.Positive {
			pos = append(pos, o.Code)
		}
	}
	if len(pos) == 0 {
		return cfg.ConclusiveOutcomes[0].Code
	}
	return pos[rng.IntN(len(pos))]
}

// negativeOutcome is the country's first negative conclusive outcome.
func negativeOutcome(cfg casework.Country) (string, bool) {
	for _, o := range cfg.ConclusiveOutcomes {
		if !o.Positive {
			return o.Code, true
		}
	}
	return "", false
}
