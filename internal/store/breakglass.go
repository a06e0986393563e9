package store

import "context"

// BreakGlassGrant lets one user open one record outside their scope for a
// short time, for a stated reason.
type BreakGlassGrant struct {
	ID, UserID, CaseID, AgencyID, Reason string
	WrappedKey, Justification            []byte
	CreatedAt, ExpiresAt                 int64
}

// InsertBreakGlass stores a grant.
func (tx *Tx) InsertBreakGlass(ctx context.Context, g BreakGlassGrant) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO break_glass_grants (id, user_id, case_id, agency_id, reason, wrapped_key,
		justification, created_at, expires_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9)`,
		g.ID, g.UserID, g.CaseID, g.AgencyID, g.Reason, g.WrappedKey, g.Justification, g.CreatedAt, g.ExpiresAt)
	return classify(err)
}

// LiveBreakGlass returns the id of a user's unexpired grant for a case, or
// "" when there is none.
func (db *DB) LiveBreakGlass(ctx context.Context, userID, caseID string, nowMillis int64) (string, error) {
	var id string
	err := db.r.QueryRowContext(ctx, `SELECT id FROM break_glass_grants WHERE user_id = $1 AND case_id = $2 AND expires_at > $3
		ORDER BY expires_at DESC LIMIT 1`, userID, caseID, nowMillis).Scan(&id)
	if err != nil {
		if e := notFound(err, "grant"); e != nil && isNotFound(e) {
			return "", nil
		}
		return "", classify(err)
	}
	return id, nil
}
