package cases_test

import (
	"testing"

	"github.com/haven-nrm/haven/internal/cases"
	"github.com/haven-nrm/haven/internal/store"
)

// TestListDocumentsNameTheirForm: the support document and a service
// referral's history are written with their form (store.DocVersion) in the
// row's doc_version column, and a row of a form this Haven does not know —
// written by a newer version — is refused on reading, not misread. Both
// engines.
func TestListDocumentsNameTheirForm(t *testing.T) {
	eachWorld(t, false, func(t *testing.T, w *world) {
		ctx := t.Context()
		health := w.agency["health"].ID
		d := w.do(ca, cases.Typed((*cases.Service).RecordConsent).Run, in{"support_version": sv(w.dossier()), "purpose": "share_with_agency",
			"recipient": health, "action": "given", "language": "ne"})
		w.do(ca, cases.Typed((*cases.Service).Offer).Run, in{"support_version": sv(d), "service": "medical", "agency": health})
		for _, table := range []string{"case_support", "service_referrals"} {
			var form int64
			if err := w.db.R().QueryRowContext(ctx, `SELECT doc_version FROM `+table+` WHERE case_id = $1`, w.caseID).Scan(&form); err != nil {
				t.Fatal(err)
			}
			if form != store.DocVersion {
				t.Errorf("%s.doc_version = %d, want %d", table, form, store.DocVersion)
			}
			set := func(v int64) {
				if _, err := w.db.RawWriter().Exec(`UPDATE `+table+` SET doc_version = $1 WHERE case_id = $2`, v, w.caseID); err != nil {
					t.Fatal(err)
				}
			}
			set(store.DocVersion + 1)
			c, err := w.db.Case(ctx, w.caseID)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := w.svc.Load(ctx, w.db.R(), c); err == nil {
				t.Errorf("a %s row of an unknown form was read", table)
			}
			set(store.DocVersion)
			if _, err := w.svc.Load(ctx, w.db.R(), c); err != nil {
				t.Errorf("%s back at the known form: %v", table, err)
			}
		}
	})
}
