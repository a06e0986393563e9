package store

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
)

// decisionNames0013 are the Go names the decision record's members had
// before migration 0013 (package casework's Record, DecisionEntry,
// ConsultationEntry, ReviewEntry, ReconsiderationEntry and Period) and the
// names they have since. A member not listed keeps its name.
var decisionNames0013 = map[string]string{
	"CaseID": "case_id", "Country": "country", "Child": "child", "Version": "version", "State": "state",
	"TraffickingStatus": "trafficking_status", "ReferredAt": "referred_at", "RGClockStart": "rg_clock_start",
	"RGDeadline": "rg_deadline", "ReasonableGrounds": "reasonable_grounds", "Conclusive": "conclusive", "Review": "review",
	"Consultations": "consultations", "Reconsideration": "reconsideration", "Period": "period", "UpdatedAt": "updated_at",
	"Outcome": "outcome", "Positive": "positive", "By": "by", "At": "at", "EffectiveAt": "effective_at", "Party": "party",
	"Stage": "stage", "Of": "of", "Start": "start", "End": "end", "MinimumDays": "minimum_days", "UntilConclusive": "until_conclusive",
}

// migrateDocumentNames is migration 0013's Go step: it renames the decision
// record's members and stamps doc_version on the three object documents,
// a page of rows at a time.
func migrateDocumentNames(ctx context.Context, tx *sql.Tx, _ Dialect) error {
	for _, t := range []struct {
		table, column string
		rename        bool
	}{{"cases", "decision", true}, {"investigations", "record", false}, {"hsds_services", "record", false}} {
		after := ""
		for {
			rows, err := tx.QueryContext(ctx, `SELECT id, `+t.column+` FROM `+t.table+` WHERE id > $1 AND `+t.column+` <> '' ORDER BY id LIMIT 500`, after)
			if err != nil {
				return err
			}
			type row struct{ id, doc string }
			var page []row
			for rows.Next() {
				var r row
				if err := rows.Scan(&r.id, &r.doc); err != nil {
					rows.Close()
					return err
				}
				page = append(page, r)
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return err
			}
			if len(page) == 0 {
				break
			}
			after = page[len(page)-1].id
			for _, r := range page {
				doc, err := rewrite0013(r.doc, t.rename)
				if err != nil {
					return fmt.Errorf("%s %s: %w", t.table, r.id, err)
				}
				if doc == r.doc {
					continue
				}
				if _, err := tx.ExecContext(ctx, `UPDATE `+t.table+` SET `+t.column+` = $1 WHERE id = $2`, doc, r.id); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// rewrite0013 renames a document's members (when rename is set) and puts
// doc_version 2 first. Numbers keep their text.
func rewrite0013(doc string, rename bool) (string, error) {
	dec := json.NewDecoder(bytes.NewReader([]byte(doc)))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return "", err
	}
	m, ok := v.(map[string]any)
	if !ok {
		return "", fmt.Errorf("not a JSON object")
	}
	if rename {
		v = renameMembers(m, decisionNames0013)
		m = v.(map[string]any)
	}
	delete(m, "doc_version")
	b, err := json.Marshal(m)
	if err != nil {
		return "", err
	}
	if len(b) == 2 {
		return `{"doc_version":2}`, nil
	}
	return `{"doc_version":2,` + string(b[1:]), nil
}

func renameMembers(v any, names map[string]string) any {
	switch x := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			if n, ok := names[k]; ok {
				k = n
			}
			out[k] = renameMembers(e, names)
		}
		return out
	case []any:
		for i := range x {
			x[i] = renameMembers(x[i], names)
		}
		return x
	}
	return v
}
