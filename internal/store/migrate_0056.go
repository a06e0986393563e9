package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"time"
)

// The shapes migration 0056 reads: its own copies (see goSteps).
type decision0056 struct {
	RGDeadline      time.Time `json:"rg_deadline"`
	Reconsideration struct {
		At time.Time `json:"at"`
	} `json:"reconsideration"`
}

type investigation0056 struct {
	Compensation []struct {
		ChargeID string `json:"charge_id"`
		State    string `json:"state"`
	} `json:"compensation"`
}

type referral0056 struct {
	Events []struct {
		Type    string `json:"type"`
		Country string `json:"country"`
	} `json:"events"`
}

// backfillMeasureColumns is migration 0056's Go step: the deadline and
// reconsideration of every decision record, the compensation state of
// every charge, and every case's country of exploitation (its referral's
// exploitation event, else its jurisdiction's country).
func backfillMeasureColumns(ctx context.Context, tx *sql.Tx, _ Dialect) error {
	err := eachDoc0014(ctx, tx, "cases", "decision", func(id, doc string) error {
		var d decision0056
		if err := json.Unmarshal([]byte(doc), &d); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `UPDATE cases SET rg_deadline_at = $1, reconsidered = $2 WHERE id = $3`,
			ms0014(d.RGDeadline), b2i(!d.Reconsideration.At.IsZero()), id)
		return err
	})
	if err != nil {
		return err
	}
	err = eachDoc0014(ctx, tx, "investigations", "record", func(id, doc string) error {
		var inv investigation0056
		if err := json.Unmarshal([]byte(doc), &inv); err != nil {
			return err
		}
		for _, c := range inv.Compensation {
			if _, err := tx.ExecContext(ctx, `UPDATE investigation_charges SET compensation = $1 WHERE investigation_id = $2 AND charge_id = $3`,
				c.State, id, c.ChargeID); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE cases SET exploitation_country = COALESCE((SELECT j.country FROM jurisdictions j WHERE j.id = cases.jurisdiction_id), '')`); err != nil {
		return err
	}
	return eachDoc0014(ctx, tx, "referrals", "facts", func(id, doc string) error {
		var r referral0056
		if err := json.Unmarshal([]byte(doc), &r); err != nil {
			return err
		}
		if c := exploitationCountry0056(r); c != "" {
			_, err := tx.ExecContext(ctx, `UPDATE cases SET exploitation_country = $1 WHERE id = (SELECT case_id FROM referrals WHERE id = $2)`, c, id)
			return err
		}
		return nil
	})
}

func exploitationCountry0056(r referral0056) string {
	for _, e := range r.Events {
		if e.Type == "Exploitation" && e.Country != "" {
			return e.Country
		}
	}
	return ""
}
