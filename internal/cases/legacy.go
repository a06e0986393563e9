package cases

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"

	"github.com/haven-nrm/haven/internal/audit"
	"github.com/haven-nrm/haven/internal/errs"
	"github.com/haven-nrm/haven/internal/store"
)

// legacyStatuteKey is the JSON key under which charges recorded before
// provisions were coded kept the provision as typed, in clear.
const legacyStatuteKey = `"statute"`

// SealClearChargeText moves the provision text that charges recorded before
// provisions were coded kept in clear in their investigation record (the
// "statute" field, written as the officer typed it) into a sealed note of
// the charge, like every other free text about a case, and removes it from
// the record. Each investigation is rewritten in one transaction with its
// notes and an audit event; a record changed meanwhile is left for the
// next run. It returns how many investigations it rewrote, and is cheap
// when there is nothing left to move. It runs when haven serve starts,
// because sealing needs the master key, which SQL migrations never see.
func (s *Service) SealClearChargeText(ctx context.Context) (int, error) {
	rows, err := store.InvestigationsHolding(ctx, s.DB.R(), legacyStatuteKey)
	if err != nil {
		return 0, err
	}
	done := 0
	for _, row := range rows {
		moved, err := s.sealChargeText(ctx, row)
		if err != nil {
			return done, err
		}
		if moved {
			done++
		}
	}
	if done > 0 {
		// The old text must not linger in the database's free space.
		if err := s.DB.Scrub(ctx, "investigations"); err != nil {
			return done, err
		}
	}
	return done, nil
}

func (s *Service) sealChargeText(ctx context.Context, row store.Investigation) (bool, error) {
	var rec map[string]json.RawMessage
	if err := json.Unmarshal([]byte(row.Record), &rec); err != nil {
		return false, err
	}
	var charges []map[string]json.RawMessage
	if raw, ok := rec["charges"]; ok {
		if err := json.Unmarshal(raw, &charges); err != nil {
			return false, err
		}
	}
	var openedBy string
	_ = json.Unmarshal(rec["opened_by"], &openedBy)
	type pending struct{ chargeID, by, text string }
	var notes []pending
	found := false
	for _, c := range charges {
		raw, ok := c["statute"]
		if !ok {
			continue
		}
		found = true
		delete(c, "statute")
		var text, id, by string
		if err := json.Unmarshal(raw, &text); err != nil {
			return false, err
		}
		_ = json.Unmarshal(c["id"], &id)
		_ = json.Unmarshal(c["added_by"], &by)
		if text = strings.TrimSpace(text); text != "" {
			notes = append(notes, pending{id, by, text})
		}
	}
	if !found {
		return false, nil // the text matched elsewhere, in no charge: nothing to move
	}
	b, err := json.Marshal(charges)
	if err != nil {
		return false, err
	}
	rec["charges"] = b
	next, err := json.Marshal(rec)
	if err != nil {
		return false, err
	}
	row.Record = string(next)
	err = s.DB.Write(ctx, func(tx *store.Tx) error {
		if err := tx.SaveInvestigation(ctx, row); err != nil {
			return err
		}
		for _, p := range notes {
			if p.by == "" {
				p.by = openedBy // a note names a user who wrote it
			}
			n, err := s.sealNote(row.CaseID, ChargeNoteKind, p.chargeID, p.by, p.text, tx.Now)
			if err != nil {
				return err
			}
			if err := tx.InsertNote(ctx, n); err != nil {
				return err
			}
		}
		return tx.Audit(ctx, audit.Event{Actor: audit.SystemActor, Action: "case.charge_text_sealed", ObjectType: "case", ObjectID: row.CaseID,
			Agency: row.AgencyID, Details: map[string]string{"investigation": row.ID, "notes": strconv.Itoa(len(notes))}})
	})
	if errs.Is(err, errs.Conflict) {
		return false, nil
	}
	return err == nil, err
}
