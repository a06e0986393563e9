package store

import (
	"bytes"
	"context"
	"encoding/json"
	"strconv"
	"strings"
	"time"

	"github.com/haven-nrm/haven/internal/errs"
)

// DocVersion is the form of the JSON documents Haven keeps in a column: the
// decision record (cases.decision), an investigation (investigations.record)
// and a directory service (hsds_services.record) carry it as their
// "doc_version" member. Form 1 (no member) named the decision record's
// fields as Go does (CaseID, RGDeadline); form 2 names every member in
// snake_case. Migration 0013 brought stored documents to form 2. A change
// of names or meaning raises it, with a migration that rewrites the rows.
//
// The documents that are lists (the support tables' checklist, consent,
// overrides and assessments, service_referrals.history) have no member to
// carry it; their row's doc_version column does (migration 0045). Their
// entries were snake_case already.
const DocVersion = 2

// knownForm refuses a row whose documents are of a form this Haven does not
// know — written by a newer version, after a downgrade — rather than
// misread it.
func knownForm(form int64, table string) error {
	if form > DocVersion || form < 1 {
		return errs.E(errs.Internal, "%s holds documents of form %d; this Haven reads form %d at most", table, form, DocVersion)
	}
	return nil
}

// docPrefix starts a document that already names its form first.
var docPrefix = `{"doc_version":` + strconv.Itoa(DocVersion) + `,`

// stampDoc gives an object document its doc_version, first: as it is when
// it starts with the current one, else decoded, stamped and written again.
// The empty document (a case with no decision record) stays empty.
func stampDoc(doc string) (string, error) {
	if doc == "" || strings.HasPrefix(doc, docPrefix) {
		return doc, nil
	}
	if doc == "{}" {
		return docPrefix[:len(docPrefix)-1] + "}", nil
	}
	if !strings.HasPrefix(doc, "{") {
		return "", errs.E(errs.Internal, "a stored document is not a JSON object")
	}
	if !strings.Contains(doc, `"doc_version"`) {
		return docPrefix + doc[1:], nil
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal([]byte(doc), &m); err != nil {
		return "", errs.Wrap(errs.Internal, err)
	}
	delete(m, "doc_version")
	b, err := json.Marshal(m)
	if err != nil {
		return "", err
	}
	if bytes.Equal(b, []byte("{}")) {
		return docPrefix[:len(docPrefix)-1] + "}", nil
	}
	return docPrefix + string(b[1:]), nil
}

// decisionFacts are the members of the decision record that statistics
// count, as the cases columns of migration 0014 hold them.
type decisionFacts struct {
	State           string       `json:"state"`
	RG              decisionFact `json:"reasonable_grounds"`
	CG              decisionFact `json:"conclusive"`
	RGDeadline      time.Time    `json:"rg_deadline"`
	Reconsideration struct {
		At time.Time `json:"at"`
	} `json:"reconsideration"`
}

type decisionFact struct {
	Outcome     string    `json:"outcome"`
	At          time.Time `json:"at"`
	EffectiveAt time.Time `json:"effective_at"`
}

// decisionColumns reads the counted facts of a decision record: state,
// rg_outcome, rg_decided_at, rg_effective_at, cg_outcome, cg_decided_at,
// cg_effective_at (NULL for an instant that has not happened), then
// rg_deadline_at and reconsidered (migration 0056).
func decisionColumns(doc string) ([]any, error) {
	var f decisionFacts
	if doc != "" {
		if err := json.Unmarshal([]byte(doc), &f); err != nil {
			return nil, errs.Wrap(errs.Internal, err)
		}
	}
	return []any{f.State, f.RG.Outcome, millisOrNull(f.RG.At), millisOrNull(f.RG.EffectiveAt),
		f.CG.Outcome, millisOrNull(f.CG.At), millisOrNull(f.CG.EffectiveAt), millisOrNull(f.RGDeadline),
		b2i(!f.Reconsideration.At.IsZero())}, nil
}

func millisOrNull(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return Millis(t)
}

// investigationFacts are the members of an investigation record that
// statistics count.
type investigationFacts struct {
	Status  string `json:"status"`
	Charges []struct {
		ID        string `json:"id"`
		Provision string `json:"provision"`
		Offence   string `json:"offence"`
	} `json:"charges"`
	Proceedings []struct {
		ChargeID string `json:"charge_id"`
		Stage    string `json:"stage"`
		Outcome  string `json:"outcome"`
	} `json:"proceedings"`
	Compensation []struct {
		ChargeID string `json:"charge_id"`
		State    string `json:"state"`
	} `json:"compensation"`
}

// saveInvestigationFacts writes an investigation's status column and
// rewrites its charges, in the transaction that writes its record.
func (tx *Tx) saveInvestigationFacts(ctx context.Context, id, record string) error {
	var f investigationFacts
	if err := json.Unmarshal([]byte(record), &f); err != nil {
		return errs.Wrap(errs.Internal, err)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE investigations SET status = $1 WHERE id = $2`, f.Status, id); err != nil {
		return classify(err)
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM investigation_charges WHERE investigation_id = $1`, id); err != nil {
		return classify(err)
	}
	for _, c := range f.Charges {
		stage, outcome, comp := "", "", ""
		for _, k := range f.Compensation {
			if k.ChargeID == c.ID {
				comp = k.State
			}
		}
		for _, p := range f.Proceedings {
			if p.ChargeID == c.ID {
				stage = p.Stage
				if p.Outcome != "" {
					outcome = p.Outcome
				}
			}
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO investigation_charges (investigation_id, charge_id, case_id, provision, offence, stage, outcome, compensation)
			SELECT $1, $2, case_id, $3, $4, $5, $6, $7 FROM investigations WHERE id = $1`, id, c.ID, c.Provision, c.Offence, stage, outcome, comp); err != nil {
			return classify(err)
		}
	}
	return nil
}
