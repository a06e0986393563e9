package nrm_test

import (
	"context"
	"fmt"
	"reflect"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/haven-nrm/haven/internal/nrm"
	"github.com/haven-nrm/haven/internal/store"
	"github.com/haven-nrm/haven/internal/testenv"
)

// commandMethods names every method of the service with a command's
// signature: the functions the command table (web's caseCommands) runs.
func commandMethods(t *testing.T) []string {
	want := reflect.TypeOf((*command)(nil)).Elem()
	st := reflect.TypeOf(&nrm.Service{})
	var out []string
	for i := range st.NumMethod() {
		m := st.Method(i)
		if m.Type.ConvertibleTo(want) {
			out = append(out, m.Name)
		}
	}
	if len(out) < 30 {
		t.Fatalf("found only %d command methods: %v", len(out), out)
	}
	return out
}

func commandName(cmd command) string {
	n := runtime.FuncForPC(reflect.ValueOf(cmd).Pointer()).Name()
	n = n[strings.LastIndex(n, ".")+1:]
	return strings.TrimSuffix(n, "-fm")
}

// TestEveryCommandWritesAnAuditEvent runs every case command once, each
// accepted, and checks that each one's transaction wrote at least one audit
// event: the store refuses to commit a change without one, and this shows
// no command is a change the store would refuse or a no-op that passes as
// one.
func TestEveryCommandWritesAnAuditEvent(t *testing.T) {
	testenv.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		w := newWorld(t, db, true)
		ran := map[string]int{}
		head := func() int64 {
			var n int64
			if err := db.R().QueryRowContext(ctx, `SELECT seq FROM audit_head WHERE id = 1`).Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		do := func(who string, cmd command, input in) *nrm.Dossier {
			t.Helper()
			name := commandName(cmd)
			before := head()
			d := w.do(who, cmd, input)
			if n := head() - before; n < 1 {
				t.Errorf("%s committed without an audit event", name)
			} else {
				ran[name] = int(n)
			}
			return d
		}
		d := w.dossier()
		today := time.Now().Format(time.DateOnly)
		soon := time.Now().AddDate(0, 0, 20).Format(time.DateOnly)
		pol, health := w.agency["police"].ID, w.agency["health"].ID
		guardianAgency := w.agency["ngo"].ID

		// Decisions.
		d = do(ca, (*nrm.Service).DecideRG, in{"version": v(d), "outcome": "positive", "reason": "Credible account."})
		d = do(ca, (*nrm.Service).Extend, in{"version": v(d), "new_end": d.Record.Period.End.AddDate(0, 0, 10).Format(time.DateOnly)})
		for _, p := range d.Country.RequiredConsultations(true) {
			d = do(ca, (*nrm.Service).Consult, in{"version": v(d), "party": p})
		}
		d = do(ca, (*nrm.Service).DecideCG, in{"version": v(d), "outcome": "insufficient_evidence"})
		d = do(reviewer, (*nrm.Service).Review, in{"version": v(d), "outcome": "upheld"})
		d = do(ca, (*nrm.Service).Reconsider, in{"version": v(d), "reason": "New evidence."})

		// Support.
		d = do(ca, (*nrm.Service).AppointGuardian, in{"guardian_name": "G. Dian", "guardian_agency": guardianAgency, "appointed_on": today})
		d = do(ca, (*nrm.Service).RecordItem, in{"support_version": sv(d), "item": "language_and_interpretation", "language": "ne"})
		d = do(ca, (*nrm.Service).Assess, in{"support_version": sv(d), "individual_rating": "low"})
		d = do(ca, (*nrm.Service).AddGoal, in{"support_version": sv(d), "plan_type": "Health", "objective": "Safe housing.", "target_date": soon})
		d = do(ca, (*nrm.Service).UpdateGoal, in{"support_version": sv(d), "goal": d.Goals[0].ID, "status": "in_progress"})
		for _, a := range []string{pol, health} {
			d = do(ca, (*nrm.Service).RecordConsent, in{"support_version": sv(d), "purpose": "share_with_agency", "recipient": a,
				"action": "given", "language": "ne", "by_guardian": "true"})
		}
		d = do(ca, (*nrm.Service).Offer, in{"support_version": sv(d), "service": "medical", "agency": health})
		d = do(ca, (*nrm.Service).ActOnService, in{"support_version": sv(d), "referral": d.Plan.Referrals[0].ID, "action": "decline"})
		d = do(ca, (*nrm.Service).Conference, in{"held_on": today, "sectors": []string{"health", "police"}, "decisions": "Plan agreed."})
		d = do(ca, (*nrm.Service).AddTask, in{"owner": w.users[ca].ID, "due": soon, "kind": "follow_up", "text": "Call back."})
		var task store.Task
		for _, tk := range d.Tasks {
			if tk.Kind == "follow_up" && tk.DoneAt == 0 {
				task = tk
			}
		}
		d = do(ca, (*nrm.Service).CompleteTask, in{"task": task.ID, "task_version": fmt.Sprint(task.Version)})

		// Prosecution.
		d = do(ca, (*nrm.Service).HandOver, in{"support_version": sv(d), "kind": "referral", "to_agency": pol})
		h := d.Handovers[0]
		d = do(police, (*nrm.Service).RespondHandover, in{"handover": h.ID, "handover_version": fmt.Sprint(h.Version), "response": "accept"})
		d = do(police, (*nrm.Service).OpenInvestigation, in{})
		inv := d.Investigations[0].ID
		iv := func() string {
			invs, err := nrm.Investigations(d)
			if err != nil {
				t.Fatal(err)
			}
			return fmt.Sprint(invs[0].Version)
		}
		d = do(police, (*nrm.Service).AddSuspect, in{"investigation": inv, "investigation_version": iv(), "chain_role": "recruiter", "nature": "individual", "gender": "Masculine"})
		invs, _ := nrm.Investigations(d)
		d = do(police, (*nrm.Service).AddCharge, in{"investigation": inv, "investigation_version": iv(), "suspect": invs[0].Suspects[0].ID, "offence": "pimping"})
		invs, _ = nrm.Investigations(d)
		charge := invs[0].Charges[0].ID
		d = do(police, (*nrm.Service).RecordParticipation, in{"investigation": inv, "investigation_version": iv(), "willing": "no", "language": "ne"})
		d = do(police, (*nrm.Service).RecordProceeding, in{"investigation": inv, "investigation_version": iv(), "charge": charge, "stage": "charged"})
		d = do(police, (*nrm.Service).RecordProceeding, in{"investigation": inv, "investigation_version": iv(), "charge": charge, "stage": "verdict", "outcome": "convicted"})
		d = do(police, (*nrm.Service).RecordSentence, in{"investigation": inv, "investigation_version": iv(), "charge": charge, "custodial_months": "24"})
		d = do(police, (*nrm.Service).RecordCompensation, in{"investigation": inv, "investigation_version": iv(), "charge": charge,
			"ordered_amount": "1000", "currency": "EUR", "compensation_state": "ordered"})
		d = do(police, (*nrm.Service).RaiseNonPunishment, in{"investigation": inv, "investigation_version": iv(), "raised": "yes", "offence_category": "immigration", "linked": "yes"})
		d = do(police, (*nrm.Service).CloseInvestigation, in{"investigation": inv, "investigation_version": iv(), "investigation_status": "closed_prosecuted"})

		// Closure.
		d = do(ca, (*nrm.Service).Close, in{"version": v(d), "closure_reason": "reintegrated"})
		do(ca, (*nrm.Service).Reopen, in{"version": v(d)})

		var missing []string
		for _, m := range commandMethods(t) {
			if ran[m] == 0 {
				missing = append(missing, m)
			}
		}
		slices.Sort(missing)
		if len(missing) > 0 {
			t.Errorf("commands not run by this test: %v", missing)
		}
	})
}
