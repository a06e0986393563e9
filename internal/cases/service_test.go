package cases_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/haven-nrm/haven/internal/access"
	"github.com/haven-nrm/haven/internal/auth"
	"github.com/haven-nrm/haven/internal/cases"
	"github.com/haven-nrm/haven/internal/casework"
	"github.com/haven-nrm/haven/internal/demo"
	"github.com/haven-nrm/haven/internal/errs"
	"github.com/haven-nrm/haven/internal/handover"
	"github.com/haven-nrm/haven/internal/intake"
	"github.com/haven-nrm/haven/internal/referral"
	"github.com/haven-nrm/haven/internal/screening"
	"github.com/haven-nrm/haven/internal/seal"
	"github.com/haven-nrm/haven/internal/store"
	"github.com/haven-nrm/haven/internal/support"
	"github.com/haven-nrm/haven/internal/testenv"
)

// in is a command's input as the API gives it.
type in map[string]any

func (m in) Get(k string) string {
	switch v := m[k].(type) {
	case string:
		return v
	case int64:
		return fmt.Sprint(v)
	case int:
		return fmt.Sprint(v)
	}
	return ""
}

func (m in) List(k string) []string {
	if v, ok := m[k].([]string); ok {
		return v
	}
	if s := m.Get(k); s != "" {
		return []string{s}
	}
	return nil
}

// world is a demo instance with one referred adult.
type world struct {
	t      *testing.T
	db     *store.DB
	svc    *cases.Service
	users  map[string]store.User // by username
	agency map[string]store.Agency
	caseID string
}

var cheap = auth.Params{Memory: 8 * 1024, Time: 1, Threads: 1, KeyLen: 32, SaltLen: 16}

func newWorld(t *testing.T, db *store.DB, child bool) *world {
	ctx := context.Background()
	if _, err := demo.Generate(ctx, db, demo.Options{Seed: 3, PasswordParams: &cheap}); err != nil {
		t.Fatal(err)
	}
	keys, err := seal.NewKeyring()
	if err != nil {
		t.Fatal(err)
	}
	svc, err := cases.New(db, keys, time.Now)
	if err != nil {
		t.Fatal(err)
	}
	w := &world{t: t, db: db, svc: svc, users: map[string]store.User{}, agency: map[string]store.Agency{}}
	us, err := db.Users(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range us {
		w.users[u.Username] = u
	}
	as, err := db.Agencies(ctx)
	if err != nil {
		t.Fatal(err)
	}
	fr := w.users["demo.first_responder"]
	for _, a := range as {
		if a.JurisdictionID == fr.JurisdictionID {
			w.agency[a.Kind] = a
		}
	}
	w.caseID = refer(t, w, child)
	return w
}

// eachWorld runs fn on a fresh world (newWorld) on each engine.
func eachWorld(t *testing.T, child bool, fn func(t *testing.T, w *world)) {
	testenv.ForEachEngine(t, func(t *testing.T, db *store.DB) { fn(t, newWorld(t, db, child)) })
}

// refer has the demo's first responder refer a person (a child or an
// adult) and returns the new case's id.
func refer(t *testing.T, w *world, child bool) string {
	t.Helper()
	eng, err := screening.DefaultEngine()
	if err != nil {
		t.Fatal(err)
	}
	age := 24
	if child {
		age = 15
	}
	fr := w.users["demo.first_responder"]
	ref := intake.Referral{Sector: "labour_inspection", Age: &age, Gender: "Feminine", Citizenship: "NP", Languages: []string{"ne"},
		Exploitation: "labour", Acts: []string{"recruitment"}, Means: []string{"deception"}, Purposes: []string{"forced_labour"},
		Consent: "given", ConsentLanguage: "ne", Identity: intake.Identity{GivenName: "Canary", FamilyName: "Nrmtest"}}
	rs := &referral.Service{DB: w.db, Keys: w.svc.Keys, Engine: eng, Now: time.Now, Countries: w.svc.Countries}
	out, err := rs.Submit(context.Background(), referral.By{UserID: fr.ID, AgencyID: fr.AgencyID, JurisdictionID: fr.JurisdictionID}, ref, "")
	if err != nil {
		t.Fatal(err)
	}
	return out.Referral.CaseID
}

func (w *world) as(username string) access.Principal {
	u, ok := w.users[username]
	if !ok {
		w.t.Fatalf("no user %s", username)
	}
	return access.Principal{UserID: u.ID, Role: access.Role(u.Role), AgencyID: u.AgencyID, JurisdictionID: u.JurisdictionID}
}

func (w *world) dossier() *cases.Dossier {
	c, err := w.db.Case(context.Background(), w.caseID)
	if err != nil {
		w.t.Fatal(err)
	}
	d, err := w.svc.Load(context.Background(), w.db.R(), c)
	if err != nil {
		w.t.Fatal(err)
	}
	return d
}

type command = cases.Command

// do runs a command on the case as it is now and fails on an error.
func (w *world) do(who string, cmd command, input in) *cases.Dossier {
	w.t.Helper()
	if err := cmd(w.svc, context.Background(), w.as(who), w.dossier(), input); err != nil {
		w.t.Fatalf("%s: %v", who, err)
	}
	return w.dossier()
}

// refuse runs a command and wants it refused with the translation key
// given, leaving the case as it was.
func (w *world) refuse(who string, cmd command, input in, key string) {
	w.t.Helper()
	before := w.snapshot()
	err := cmd(w.svc, context.Background(), w.as(who), w.dossier(), input)
	if err == nil {
		w.t.Fatalf("accepted, want %s", key)
	}
	var e *errs.Error
	if !errors.As(err, &e) || e.Key != key {
		w.t.Fatalf("refused with %v, want key %s", err, key)
	}
	if after := w.snapshot(); after != before {
		w.t.Fatalf("a refused change wrote something:\n%s\n%s", before, after)
	}
}

// snapshot is the case's rows that a change would touch.
func (w *world) snapshot() string {
	d := w.dossier()
	b, _ := json.Marshal([]any{d.Case, d.Support, d.Referrals, d.Handovers, d.Conferences, d.Tasks, d.Investigations, len(d.Notes)})
	return string(b)
}

const ca, reviewer, worker, police = "demo.competent_authority", "demo.competent_authority.reviewer", "demo.case_worker", "demo.police_investigator"

func v(d *cases.Dossier) string  { return fmt.Sprint(d.Case.Version) }
func sv(d *cases.Dossier) string { return fmt.Sprint(d.Support.Version) }

// TestDecisionsInOrder walks the decisions the issue names and the refusals
// it asks for: out of order, shortened period, stale copies.
func TestDecisionsInOrder(t *testing.T) {
	eachWorld(t, false, func(t *testing.T, w *world) {
		d := w.dossier()
		if d.Record.State != casework.StateReferred || d.Case.QueueKey == "" {
			t.Fatalf("a new case awaits RG in the queue: %s %q", d.Record.State, d.Case.QueueKey)
		}
		// Conclusive before reasonable grounds (casework: CG only after a positive RG).
		w.refuse(ca, cases.Typed((*cases.Service).DecideCG).Run, in{"version": v(d), "outcome": "victim_of_trafficking"}, "casework.error.out_of_order")
		// Only the authority decides; a stale version is a conflict.
		w.refuse(ca, cases.Typed((*cases.Service).DecideRG).Run, in{"version": "99", "outcome": "positive"}, "case.error.conflict")
		d = w.do(ca, cases.Typed((*cases.Service).DecideRG).Run, in{"version": v(d), "outcome": "positive", "reason": "Credible account of deception."})
		if d.Record.State != casework.StateRGPositive || !d.Record.Period.Open() {
			t.Fatalf("positive RG opens the recovery period: %+v", d.Record)
		}
		// Period may not be shortened (CoE art. 13: at least 30 days).
		earlier := d.Record.Period.End.AddDate(0, 0, -3).Format(time.DateOnly)
		w.refuse(ca, cases.Typed((*cases.Service).Extend).Run, in{"version": v(d), "new_end": earlier}, "casework.error.period_shortened")
		later := d.Record.Period.End.AddDate(0, 0, 10).Format(time.DateOnly)
		d = w.do(ca, cases.Typed((*cases.Service).Extend).Run, in{"version": v(d), "new_end": later})
		// A negative CG needs the consultations first.
		w.refuse(ca, cases.Typed((*cases.Service).DecideCG).Run, in{"version": v(d), "outcome": "insufficient_evidence"}, "casework.error.consultation_missing")
		for _, p := range d.Country.RequiredConsultations(false) {
			d = w.do(ca, cases.Typed((*cases.Service).Consult).Run, in{"version": v(d), "party": p})
		}
		d = w.do(ca, cases.Typed((*cases.Service).DecideCG).Run, in{"version": v(d), "outcome": "insufficient_evidence"})
		if d.Case.TraffickingStatus != casework.StatusPossible {
			t.Fatalf("a negative CG awaiting review leaves a possible victim, got %s", d.Case.TraffickingStatus)
		}
		// Second-person review: not by the decider.
		w.refuse(ca, cases.Typed((*cases.Service).Review).Run, in{"version": v(d), "outcome": "upheld"}, "casework.error.same_person_review")
		d = w.do(reviewer, cases.Typed((*cases.Service).Review).Run, in{"version": v(d), "outcome": "returned"})
		d = w.do(ca, cases.Typed((*cases.Service).DecideCG).Run, in{"version": v(d), "outcome": "victim_of_trafficking"})
		if d.Case.TraffickingStatus != casework.StatusActual || d.Case.QueueKey != "" {
			t.Fatalf("positive CG: actual victim, out of the queue; got %s %q", d.Case.TraffickingStatus, d.Case.QueueKey)
		}
		// The reasons were sealed, not stored in clear.
		var n int
		if err := w.db.R().QueryRowContext(context.Background(), `SELECT COUNT(*) FROM case_notes WHERE case_id = $1 AND kind = 'decision_reason'`,
			w.caseID).Scan(&n); err != nil || n != 1 {
			t.Fatalf("one sealed reason, got %d (%v)", n, err)
		}
	})
}

// TestConcurrentDecisions: two deciders on the same version; exactly one
// wins, the other gets a conflict, nothing is lost or half-written.
func TestConcurrentDecisions(t *testing.T) {
	eachWorld(t, false, func(t *testing.T, w *world) {
		d := w.dossier()
		var wg sync.WaitGroup
		results := make([]error, 2)
		outcomes := []string{"positive", "negative"}
		for i, who := range []string{ca, reviewer} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				results[i] = cases.Typed((*cases.Service).DecideRG).Run(w.svc, context.Background(), w.as(who), d, in{"version": v(d), "outcome": outcomes[i]})
			}()
		}
		wg.Wait()
		wins := 0
		for _, err := range results {
			switch {
			case err == nil:
				wins++
			case errs.KindOf(err) != errs.Conflict:
				t.Fatalf("the loser gets a conflict, got %v", err)
			}
		}
		after := w.dossier()
		if wins != 1 || after.Case.Version != d.Case.Version+1 {
			t.Fatalf("one decision wins: %d wins, version %d → %d", wins, d.Case.Version, after.Case.Version)
		}
		var events int
		if err := w.db.R().QueryRowContext(context.Background(), `SELECT COUNT(*) FROM audit_events WHERE object_id = $1
			AND action IN ('case.reasonable_grounds_decided', 'case.reasonable_grounds_negative_proposed')`,
			w.caseID).Scan(&events); err != nil || events != 1 {
			t.Fatalf("one audited decision, got %d (%v)", events, err)
		}
	})
}

// TestSupportWithoutConditions: a declined service blocks nothing; sharing
// with another agency needs consent or an override; a transfer to an
// agency that does not exist is refused; ownership moves on acceptance.
func TestSupportWithoutConditions(t *testing.T) {
	eachWorld(t, true, func(t *testing.T, w *world) {
		ctx := t.Context()
		d := w.dossier()
		shelter, health, ngo := w.agency["shelter_short_term"].ID, w.agency["health"].ID, w.agency["ngo"].ID
		// No consent to share with the shelter yet: refused.
		w.refuse(ca, cases.Typed((*cases.Service).Offer).Run, in{"support_version": sv(d), "service": "short_term_shelter", "agency": shelter}, "support.error.no_consent")
		for _, a := range []string{shelter, health, ngo} {
			d = w.do(ca, cases.Typed((*cases.Service).RecordConsent).Run, in{"support_version": sv(d), "purpose": "share_with_agency", "recipient": a,
				"action": "given", "language": "ne", "by_guardian": "true"})
		}
		d = w.do(ca, cases.Typed((*cases.Service).Offer).Run, in{"support_version": sv(d), "service": "short_term_shelter", "agency": shelter})
		d = w.do(ca, cases.Typed((*cases.Service).Offer).Run, in{"support_version": sv(d), "service": "medical", "agency": health})
		first, second := d.Plan.Referrals[0].ID, d.Plan.Referrals[1].ID
		d = w.do(ca, cases.Typed((*cases.Service).ActOnService).Run, in{"support_version": sv(d), "referral": first, "action": "decline"})
		// The declined shelter blocks neither the medical care nor the case.
		d = w.do(ca, cases.Typed((*cases.Service).ActOnService).Run, in{"support_version": sv(d), "referral": second, "action": "accept"})
		if d.Plan.Referrals[0].State != support.StateDeclined || d.Plan.Referrals[1].State != support.StateAccepted {
			t.Fatalf("states %s %s", d.Plan.Referrals[0].State, d.Plan.Referrals[1].State)
		}
		// A transfer to an agency that does not exist.
		w.refuse(ca, cases.Typed((*cases.Service).HandOver).Run, in{"support_version": sv(d), "kind": "transfer", "to_agency": "0123456789abcdef0123456789abcdef"},
			"handover.error.unknown_agency")
		d = w.do(ca, cases.Typed((*cases.Service).HandOver).Run, in{"support_version": sv(d), "kind": "transfer", "to_agency": ngo})
		h := d.Handovers[0]
		// Only the receiver accepts; ownership moves then.
		w.refuse(ca, cases.Typed((*cases.Service).RespondHandover).Run, in{"handover": h.ID, "handover_version": fmt.Sprint(h.Version), "response": "accept"},
			"handover.error.wrong_side")
		if d.Case.AgencyID == ngo {
			t.Fatal("ownership moved before acceptance")
		}
		d = w.do(worker, cases.Typed((*cases.Service).RespondHandover).Run, in{"handover": h.ID, "handover_version": fmt.Sprint(h.Version), "response": "accept"})
		if d.Case.AgencyID != ngo || d.Handovers[0].State != handover.StateAccepted {
			t.Fatalf("after acceptance the case belongs to the NGO: %s", d.Case.AgencyID)
		}
		// The health provider works on the case (accepted service, consent): a participant.
		part, _, err := cases.Relation(ctx, w.db.R(), d.Case, health, time.Now())
		if err != nil || !part {
			t.Fatalf("health provider is a participant: %v %v", part, err)
		}
		// Withdrawal of consent ends its access at once.
		d = w.do(worker, cases.Typed((*cases.Service).RecordConsent).Run, in{"support_version": sv(d), "purpose": "share_with_agency", "recipient": health,
			"action": "withdrawn", "language": "ne", "by_guardian": "true"})
		if part, _, _ := cases.Relation(ctx, w.db.R(), d.Case, health, time.Now()); part {
			t.Fatal("withdrawn consent still lets the provider in")
		}
		// Closing waits for the running service; the declined one never counts.
		w.refuse(worker, cases.Typed((*cases.Service).Close).Run, in{"version": v(d), "closure_reason": "reintegrated"}, "handover.error.support_open")
		d = w.do(worker, cases.Typed((*cases.Service).ActOnService).Run, in{"support_version": sv(d), "referral": second, "action": "end"})
		d = w.do(worker, cases.Typed((*cases.Service).Close).Run, in{"version": v(d), "closure_reason": "reintegrated"})
		// (The child also has the guardian's appointment task.)
		if d.Case.Status != handover.CaseFollowUp || !slices.ContainsFunc(d.Tasks, func(t store.Task) bool { return t.Kind == "reintegration_follow_up" }) {
			t.Fatalf("reintegrated: follow-up status and task, got %s %+v", d.Case.Status, d.Tasks)
		}
		// Load reads only the tables Parts names; each answer agrees with
		// a direct read of its table.
		parts, partSupport, err := store.Parts(ctx, w.db.R(), d.Case.ID)
		if err != nil {
			t.Fatal(err)
		}
		sup, _ := store.Support(ctx, w.db.R(), d.Case.ID)
		if partSupport != sup {
			t.Errorf("support document read with the parts %+v, alone %+v", partSupport, sup)
		}
		refs, _ := store.ServiceReferrals(ctx, w.db.R(), d.Case.ID)
		goals, _ := store.Goals(ctx, w.db.R(), d.Case.ID)
		notes, _ := store.Notes(ctx, w.db.R(), d.Case.ID)
		hands, _ := store.Handovers(ctx, w.db.R(), d.Case.ID)
		confs, _ := store.Conferences(ctx, w.db.R(), d.Case.ID)
		tasks, _ := store.CaseTasks(ctx, w.db.R(), d.Case.ID)
		invs, _ := store.Investigations(ctx, w.db.R(), d.Case.ID)
		for _, c := range []struct {
			name string
			has  bool
			rows int
		}{{"referrals", parts.Referrals, len(refs)}, {"goals", parts.Goals, len(goals)},
			{"notes", parts.Notes, len(notes)}, {"handovers", parts.Handovers, len(hands)}, {"conferences", parts.Conferences, len(confs)},
			{"tasks", parts.Tasks, len(tasks)}, {"investigations", parts.Investigations, len(invs)}} {
			if c.has != (c.rows > 0) {
				t.Errorf("%s: parts says %v, the table holds %d", c.name, c.has, c.rows)
			}
		}
		if sup.Version == 0 || !parts.Referrals || !parts.Handovers || !parts.Tasks || parts.Investigations {
			t.Errorf("parts of a case with support, services, a transfer and a task: %+v", parts)
		}
	})
}

// TestProsecutionRecords: an investigation by a police agency the case was
// referred to; a participation "yes" needs consent to take part.
func TestProsecutionRecords(t *testing.T) {
	eachWorld(t, false, func(t *testing.T, w *world) {
		_, inv := chargeReady(w)
		w.refuse(police, cases.Typed((*cases.Service).RecordParticipation).Run, in{"investigation": inv.ID, "investigation_version": "2", "willing": "yes", "language": "ne"},
			"prosecution.error.participation_without_consent")
		d := w.do(police, cases.Typed((*cases.Service).AddCharge).Run, in{"investigation": inv.ID, "investigation_version": "2", "suspect": inv.Suspects[0].ID, "offence": "pimping"})
		invs, _ := cases.Investigations(d)
		if invs[0].Version != 3 {
			t.Fatalf("version %d", invs[0].Version)
		}
	})
}

// TestPlacementNamesTheProvidersOwnLocation: a placement is what lets a
// case's workers see a safe house's address, so an offer may only name a
// location of the provider itself.
func TestPlacementNamesTheProvidersOwnLocation(t *testing.T) {
	eachWorld(t, false, func(t *testing.T, w *world) {
		ctx := t.Context()
		shelter, health := w.agency["shelter_short_term"].ID, w.agency["health"].ID
		org, loc := store.NewID(), store.NewID()
		if err := w.db.WriteBookkeeping(ctx, store.TestFixture, func(tx *store.Tx) error {
			if err := tx.InsertHSDSOrganization(ctx, store.HSDSOrganization{ID: org, AgencyID: shelter, Name: "Shelter trust", CreatedAt: 1}); err != nil {
				return err
			}
			return tx.InsertHSDSLocation(ctx, store.HSDSLocation{ID: loc, OrganizationID: org, Confidential: true, Area: "Ward 2",
				WrappedKey: []byte{1}, Address: []byte{1}, CreatedAt: 1})
		}); err != nil {
			t.Fatal(err)
		}
		d := w.dossier()
		for _, a := range []string{shelter, health} {
			d = w.do(ca, cases.Typed((*cases.Service).RecordConsent).Run, in{"support_version": sv(d), "purpose": "share_with_agency", "recipient": a, "action": "given", "language": "ne"})
		}
		w.refuse(ca, cases.Typed((*cases.Service).Offer).Run, in{"support_version": sv(d), "service": "medical", "agency": health, "location": loc}, "case.error.field.location")
		d = w.do(ca, cases.Typed((*cases.Service).Offer).Run, in{"support_version": sv(d), "service": "short_term_shelter", "agency": shelter, "location": loc})
		if d.Referrals[0].LocationID != loc {
			t.Fatalf("placement not recorded: %+v", d.Referrals[0])
		}
	})
}
