package cases_test

import (
	"testing"

	"github.com/haven-nrm/haven/internal/cases"
)

// TestEarlyStepsInOneForm records several early steps and items of
// information in one command (issue 13: today's eleven submissions become
// one): every item in one transaction with an audit event each, or, when
// any item is refused, nothing at all.
func TestEarlyStepsInOneForm(t *testing.T) {
	eachWorld(t, false, func(t *testing.T, w *world) {
		events := func() int {
			var n int
			if err := w.db.R().QueryRowContext(t.Context(), `SELECT COUNT(*) FROM audit_events WHERE action = 'case.support_item'`).Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		run := cases.Typed((*cases.Service).RecordItem).Run
		before := events()
		d := w.dossier()
		w.refuse(ca, run, in{"support_version": sv(d), "item": []string{"language_and_interpretation", "no_such_item"}, "language": "ne"}, "case.error.field.item")
		w.refuse(ca, run, in{"support_version": sv(d), "item": []string{}, "language": "ne"}, "case.error.field.item")
		w.refuse(ca, run, in{"support_version": sv(d), "item": []string{"language_and_interpretation"}, "language": "??"}, "case.error.field.language")
		if events() != before {
			t.Fatal("a refused batch wrote audit events")
		}
		three := []string{"language_and_interpretation", "rights_and_obligations", "language_and_interpretation", "early_risk_assessment"}
		d = w.do(ca, run, in{"support_version": sv(d), "item": three, "language": "ne"})
		if len(d.Checklist) != 3 {
			t.Fatalf("checklist holds %d entries, want 3 (each item once)", len(d.Checklist))
		}
		for _, e := range d.Checklist {
			if e.Language != "ne" || e.By != w.users[ca].ID {
				t.Errorf("entry %+v", e)
			}
		}
		if n := events() - before; n != 3 {
			t.Fatalf("%d audit events, want one per item (3)", n)
		}
	})
}
