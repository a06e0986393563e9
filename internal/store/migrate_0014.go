package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"
)

// The shapes migration 0014 reads, in their form 2 names (migration 0013):
// its own copies, so that later changes to the store's readers do not
// change what it did.
type decision0014 struct {
	State string `json:"state"`
	RG    struct {
		Outcome     string    `json:"outcome"`
		At          time.Time `json:"at"`
		EffectiveAt time.Time `json:"effective_at"`
	} `json:"reasonable_grounds"`
	CG struct {
		Outcome     string    `json:"outcome"`
		At          time.Time `json:"at"`
		EffectiveAt time.Time `json:"effective_at"`
	} `json:"conclusive"`
}

type investigation0014 struct {
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
}

func ms0014(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UTC().UnixMilli()
}

// backfillStatisticsColumns is migration 0014's Go step: it fills the new
// columns of every case with a decision record and of every investigation,
// a page of rows at a time.
func backfillStatisticsColumns(ctx context.Context, tx *sql.Tx, _ Dialect) error {
	err := eachDoc0014(ctx, tx, "cases", "decision", func(id, doc string) error {
		var d decision0014
		if err := json.Unmarshal([]byte(doc), &d); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `UPDATE cases SET decision_state = $1, rg_outcome = $2, rg_decided_at = $3, rg_effective_at = $4,
			cg_outcome = $5, cg_decided_at = $6, cg_effective_at = $7 WHERE id = $8`, d.State, d.RG.Outcome, ms0014(d.RG.At),
			ms0014(d.RG.EffectiveAt), d.CG.Outcome, ms0014(d.CG.At), ms0014(d.CG.EffectiveAt), id)
		return err
	})
	if err != nil {
		return err
	}
	return eachDoc0014(ctx, tx, "investigations", "record", func(id, doc string) error {
		var inv investigation0014
		if err := json.Unmarshal([]byte(doc), &inv); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE investigations SET status = $1 WHERE id = $2`, inv.Status, id); err != nil {
			return err
		}
		for _, c := range inv.Charges {
			stage, outcome := "", ""
			for _, p := range inv.Proceedings {
				if p.ChargeID == c.ID {
					stage = p.Stage
					if p.Outcome != "" {
						outcome = p.Outcome
					}
				}
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO investigation_charges (investigation_id, charge_id, case_id, provision, offence, stage, outcome)
				SELECT $1, $2, case_id, $3, $4, $5, $6 FROM investigations WHERE id = $1`, id, c.ID, c.Provision, c.Offence, stage, outcome); err != nil {
				return err
			}
		}
		return nil
	})
}

// eachDoc0014 calls fn for every row of table with a document in column,
// in pages read before any is written (PostgreSQL's driver cannot write on
// a connection while a result is open).
func eachDoc0014(ctx context.Context, tx *sql.Tx, table, column string, fn func(id, doc string) error) error {
	after := ""
	for {
		rows, err := tx.QueryContext(ctx, `SELECT id, `+column+` FROM `+table+` WHERE id > $1 AND `+column+` <> '' ORDER BY id LIMIT 500`, after)
		if err != nil {
			return err
		}
		var ids, docs []string
		for rows.Next() {
			var id, doc string
			if err := rows.Scan(&id, &doc); err != nil {
				rows.Close()
				return err
			}
			ids, docs = append(ids, id), append(docs, doc)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		if len(ids) == 0 {
			return nil
		}
		after = ids[len(ids)-1]
		for i := range ids {
			if err := fn(ids[i], docs[i]); err != nil {
				return fmt.Errorf("%s %s: %w", table, ids[i], err)
			}
		}
	}
}
