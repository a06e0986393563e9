package cases_test

import (
	"context"
	"fmt"
	"reflect"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/haven-nrm/haven/internal/access"
	"github.com/haven-nrm/haven/internal/cases"
	"github.com/haven-nrm/haven/internal/prosecution"
	"github.com/haven-nrm/haven/internal/store"
)

// commandMethods names every method of the service with a command's
// signature (context, principal, dossier, input struct; error): the
// functions the command table (web's caseCommands) runs through cases.Typed.
func commandMethods(t *testing.T) []string {
	st := reflect.TypeOf(&cases.Service{})
	ctxT, pT, dT := reflect.TypeFor[context.Context](), reflect.TypeFor[access.Principal](), reflect.TypeFor[*cases.Dossier]()
	errT := reflect.TypeFor[error]()
	var out []string
	for i := range st.NumMethod() {
		m := st.Method(i)
		ft := m.Type
		if ft.NumIn() == 5 && ft.In(1) == ctxT && ft.In(2) == pT && ft.In(3) == dT && ft.In(4).Kind() == reflect.Struct &&
			ft.NumOut() == 1 && ft.Out(0) == errT {
			out = append(out, m.Name)
		}
	}
	if len(out) < 30 {
		t.Fatalf("found only %d command methods: %v", len(out), out)
	}
	return out
}

// typedCmd is a command method with its name, run as the command table
// runs it (decoded from the input through cases.Typed).
type typedCmd struct {
	name string
	run  command
}

func tc[T any](f func(*cases.Service, context.Context, access.Principal, *cases.Dossier, T) error) typedCmd {
	n := runtime.FuncForPC(reflect.ValueOf(f).Pointer()).Name()
	n = strings.TrimSuffix(n[strings.LastIndex(n, ".")+1:], "-fm")
	return typedCmd{name: n, run: cases.Typed(f).Run}
}

// TestEveryCommandWritesAnAuditEvent runs every case command once, each
// accepted, and checks that each one's transaction wrote at least one audit
// event: the store refuses to commit a change without one, and this shows
// no command is a change the store would refuse or a no-op that passes as
// one.
func TestEveryCommandWritesAnAuditEvent(t *testing.T) {
	eachWorld(t, true, func(t *testing.T, w *world) {
		ran := map[string]int{}
		head := func() int64 {
			var n int64
			if err := w.db.R().QueryRowContext(t.Context(), `SELECT seq FROM audit_head WHERE id = 1`).Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		do := func(who string, cmd typedCmd, input in) *cases.Dossier {
			t.Helper()
			name := cmd.name
			before := head()
			d := w.do(who, cmd.run, input)
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
		d = do(ca, tc((*cases.Service).DecideRG), in{"version": v(d), "outcome": "positive", "reason": "Credible account."})
		d = do(ca, tc((*cases.Service).Extend), in{"version": v(d), "new_end": d.Record.Period.End.AddDate(0, 0, 10).Format(time.DateOnly)})
		for _, p := range d.Country.RequiredConsultations(true) {
			d = do(ca, tc((*cases.Service).Consult), in{"version": v(d), "party": p})
		}
		d = do(ca, tc((*cases.Service).DecideCG), in{"version": v(d), "outcome": "insufficient_evidence"})
		d = do(reviewer, tc((*cases.Service).Review), in{"version": v(d), "outcome": "upheld"})
		d = do(ca, tc((*cases.Service).Reconsider), in{"version": v(d), "reason": "New evidence."})

		// Support.
		d = do(ca, tc((*cases.Service).AppointGuardian), in{"guardian_name": "G. Dian", "guardian_agency": guardianAgency, "appointed_on": today})
		d = do(ca, tc((*cases.Service).RecordItem), in{"support_version": sv(d), "item": "language_and_interpretation", "language": "ne"})
		d = do(ca, tc((*cases.Service).Assess), in{"support_version": sv(d), "individual_rating": "low"})
		d = do(ca, tc((*cases.Service).AddGoal), in{"support_version": sv(d), "plan_type": "Health", "objective": "Safe housing.", "target_date": soon})
		d = do(ca, tc((*cases.Service).UpdateGoal), in{"support_version": sv(d), "goal": d.Goals[0].ID, "status": "in_progress"})
		for _, a := range []string{pol, health} {
			d = do(ca, tc((*cases.Service).RecordConsent), in{"support_version": sv(d), "purpose": "share_with_agency", "recipient": a,
				"action": "given", "language": "ne", "by_guardian": "true"})
		}
		d = do(ca, tc((*cases.Service).Offer), in{"support_version": sv(d), "service": "medical", "agency": health})
		d = do(ca, tc((*cases.Service).ActOnService), in{"support_version": sv(d), "referral": d.Plan.Referrals[0].ID, "action": "decline"})
		d = do(ca, tc((*cases.Service).Conference), in{"held_on": today, "sectors": []string{"health", "police"}, "decisions": "Plan agreed."})
		d = do(ca, tc((*cases.Service).AddTask), in{"owner": w.users[ca].ID, "due": soon, "kind": "follow_up", "text": "Call back."})
		var task store.Task
		for _, tk := range d.Tasks {
			if tk.Kind == "follow_up" && tk.DoneAt == 0 {
				task = tk
			}
		}
		d = do(ca, tc((*cases.Service).CompleteTask), in{"task": task.ID, "task_version": fmt.Sprint(task.Version)})

		// Prosecution.
		d = do(ca, tc((*cases.Service).HandOver), in{"support_version": sv(d), "kind": "referral", "to_agency": pol})
		h := d.Handovers[0]
		d = do(police, tc((*cases.Service).RespondHandover), in{"handover": h.ID, "handover_version": fmt.Sprint(h.Version), "response": "accept"})
		d = do(police, tc((*cases.Service).OpenInvestigation), in{})
		inv := d.Investigations[0].ID
		iv := func() string {
			invs, err := cases.Investigations(d)
			if err != nil {
				t.Fatal(err)
			}
			return fmt.Sprint(invs[0].Version)
		}
		d = do(police, tc((*cases.Service).AddSuspect), in{"investigation": inv, "investigation_version": iv(), "chain_role": "recruiter", "nature": "individual", "gender": "Masculine"})
		invs, _ := cases.Investigations(d)
		d = do(police, tc((*cases.Service).AddCharge), in{"investigation": inv, "investigation_version": iv(), "suspect": invs[0].Suspects[0].ID, "offence": "pimping"})
		d = do(police, tc((*cases.Service).ReferInvestigation), in{"investigation": inv, "investigation_version": iv()})
		if invs, _ = cases.Investigations(d); invs[0].Status != prosecution.StatusReferredToProsecution {
			t.Fatalf("after referral the investigation is %q", invs[0].Status)
		}
		charge := invs[0].Charges[0].ID
		d = do(police, tc((*cases.Service).RecordParticipation), in{"investigation": inv, "investigation_version": iv(), "willing": "no", "language": "ne"})
		d = do(police, tc((*cases.Service).RecordProceeding), in{"investigation": inv, "investigation_version": iv(), "charge": charge, "stage": "charged"})
		d = do(police, tc((*cases.Service).RecordProceeding), in{"investigation": inv, "investigation_version": iv(), "charge": charge, "stage": "verdict", "outcome": "convicted"})
		d = do(police, tc((*cases.Service).RecordSentence), in{"investigation": inv, "investigation_version": iv(), "charge": charge, "custodial_months": "24"})
		d = do(police, tc((*cases.Service).RecordCompensation), in{"investigation": inv, "investigation_version": iv(), "charge": charge,
			"ordered_amount": "1000", "currency": "EUR", "compensation_state": "ordered"})
		d = do(police, tc((*cases.Service).RaiseNonPunishment), in{"investigation": inv, "investigation_version": iv(), "raised": "yes", "offence_category": "immigration", "linked": "yes"})
		d = do(police, tc((*cases.Service).CloseInvestigation), in{"investigation": inv, "investigation_version": iv(), "investigation_status": "closed_prosecuted"})

		// Closure.
		d = do(ca, tc((*cases.Service).Close), in{"version": v(d), "closure_reason": "reintegrated"})
		do(ca, tc((*cases.Service).Reopen), in{"version": v(d)})

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
