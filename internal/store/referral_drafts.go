package store

import (
	"context"
)

// ReferralDraft is an unfinished referral form of one author, sealed: Form
// is the form's values sealed under the data key WrappedKey wraps, bound
// to UserID.
type ReferralDraft struct {
	UserID             string
	WrappedKey, Form   []byte
	SavedAt, ExpiresAt int64
}

// SaveReferralDraft stores the author's draft in place of any earlier one,
// and deletes every draft expired at d.SavedAt.
func (tx *Tx) SaveReferralDraft(ctx context.Context, d ReferralDraft) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM referral_drafts WHERE expires_at <= $1`, d.SavedAt); err != nil {
		return classify(err)
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO referral_drafts (user_id, wrapped_key, form, saved_at, expires_at) VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (user_id) DO UPDATE SET wrapped_key = excluded.wrapped_key, form = excluded.form, saved_at = excluded.saved_at, expires_at = excluded.expires_at`,
		d.UserID, d.WrappedKey, d.Form, d.SavedAt, d.ExpiresAt)
	return classify(err)
}

// LiveReferralDraft returns the author's draft unexpired at now, or
// errs.NotFound.
func (db *DB) LiveReferralDraft(ctx context.Context, userID string, now int64) (ReferralDraft, error) {
	d := ReferralDraft{UserID: userID}
	err := db.r.QueryRowContext(ctx, `SELECT wrapped_key, form, saved_at, expires_at FROM referral_drafts WHERE user_id = $1 AND expires_at > $2`,
		userID, now).Scan(&d.WrappedKey, &d.Form, &d.SavedAt, &d.ExpiresAt)
	return d, notFound(err, "referral draft")
}

// DeleteReferralDraft deletes the author's draft, if any, and reports
// whether there was one.
func (tx *Tx) DeleteReferralDraft(ctx context.Context, userID string) (bool, error) {
	res, err := tx.ExecContext(ctx, `DELETE FROM referral_drafts WHERE user_id = $1`, userID)
	if err != nil {
		return false, classify(err)
	}
	n, err := res.RowsAffected()
	return n > 0, classify(err)
}
