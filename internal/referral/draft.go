package referral

import (
	"context"
	"encoding/json"
	"time"

	"github.com/haven-nrm/haven/internal/audit"
	"github.com/haven-nrm/haven/internal/errs"
	"github.com/haven-nrm/haven/internal/seal"
	"github.com/haven-nrm/haven/internal/store"
)

// DraftLife is how long an unfinished referral is kept after its last
// save: long enough to finish an interview interrupted by a shift's end,
// short enough that identifying notes do not linger.
const DraftLife = 24 * time.Hour

// MaxDraftBytes bounds a draft's form: the whole form at its limits is far
// smaller.
const MaxDraftBytes = 64 << 10

// draftField is the sealed field's name, bound into its ciphertext.
const draftField = "form"

// Draft is an unfinished referral form as its author left it: the form's
// values by name, and when it was saved.
type Draft struct {
	Form    map[string][]string
	SavedAt time.Time
}

// SaveDraft keeps the author's unfinished form, sealed, in place of any
// earlier draft, for DraftLife. The form holds identifying data, so it is
// sealed under a data key of its own and never stored in clear.
func (s *Service) SaveDraft(ctx context.Context, by By, form map[string][]string) error {
	if by.UserID == "" {
		return errs.E(errs.Unauthenticated, "no author")
	}
	plain, err := json.Marshal(form)
	if err != nil {
		return err
	}
	if len(plain) > MaxDraftBytes {
		return errs.Field("form", "draft.error.too_large", errs.E(errs.Invalid, "draft of %d bytes", len(plain)))
	}
	dk, wk, err := s.Keys.NewDataKey(by.UserID)
	if err != nil {
		return err
	}
	defer dk.Destroy()
	sealed, err := seal.Seal(dk, by.UserID, draftField, plain)
	if err != nil {
		return err
	}
	now := s.Now()
	d := store.ReferralDraft{UserID: by.UserID, WrappedKey: wk, Form: sealed, SavedAt: store.Millis(now), ExpiresAt: store.Millis(now.Add(DraftLife))}
	return s.DB.Write(ctx, func(tx *store.Tx) error {
		if err := tx.SaveReferralDraft(ctx, d); err != nil {
			return err
		}
		return tx.Audit(ctx, audit.Event{Actor: by.UserID, Action: "referral.draft.save", ObjectType: "referral_draft", ObjectID: by.UserID, Agency: by.AgencyID})
	})
}

// OpenDraft returns the author's live draft, opened, or errs.NotFound when
// there is none (or it expired, or the key that sealed it is gone). Only
// its author can open it: the draft is looked up by the author's id, and
// its seal is bound to it. Opening is audited, as every read of
// identifying data is.
func (s *Service) OpenDraft(ctx context.Context, by By) (Draft, error) {
	if by.UserID == "" {
		return Draft{}, errs.E(errs.NotFound, "no draft")
	}
	d, err := s.DB.LiveReferralDraft(ctx, by.UserID, store.Millis(s.Now()))
	if err != nil {
		return Draft{}, err
	}
	dk, err := s.Keys.Unwrap(by.UserID, seal.WrappedKey(d.WrappedKey))
	if err != nil {
		return Draft{}, errs.E(errs.NotFound, "draft unreadable")
	}
	defer dk.Destroy()
	plain, err := seal.Open(dk, by.UserID, draftField, d.Form)
	if err != nil {
		return Draft{}, errs.E(errs.NotFound, "draft unreadable")
	}
	var out Draft
	if err := json.Unmarshal(plain, &out.Form); err != nil {
		return Draft{}, errs.E(errs.NotFound, "draft unreadable")
	}
	out.SavedAt = time.UnixMilli(d.SavedAt).UTC()
	err = s.DB.Write(ctx, func(tx *store.Tx) error {
		return tx.Audit(ctx, audit.Event{Actor: by.UserID, Action: "referral.draft.open", ObjectType: "referral_draft", ObjectID: by.UserID, Agency: by.AgencyID})
	})
	return out, err
}

// DiscardDraft deletes the author's draft, if any.
func (s *Service) DiscardDraft(ctx context.Context, by By) error {
	return s.DB.Write(ctx, func(tx *store.Tx) error {
		found, err := tx.DeleteReferralDraft(ctx, by.UserID)
		if err != nil || !found {
			return err
		}
		return tx.Audit(ctx, audit.Event{Actor: by.UserID, Action: "referral.draft.discard", ObjectType: "referral_draft", ObjectID: by.UserID, Agency: by.AgencyID})
	})
}
