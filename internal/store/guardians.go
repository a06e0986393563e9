package store

import "context"

// Guardian is the appointment of a child's guardian; the guardian's name
// and contact are sealed Notes about it.
type Guardian struct {
	ID          string `json:"id"`
	CaseID      string `json:"case_id"`
	AgencyID    string `json:"agency_id"`
	AppointedOn string `json:"appointed_on"` // YYYY-MM-DD in the jurisdiction's calendar
	CreatedBy   string `json:"created_by"`
	CreatedAt   int64  `json:"created_at"`
}

// InsertGuardian records an appointment.
func (tx *Tx) InsertGuardian(ctx context.Context, g Guardian) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO case_guardians (id, case_id, agency_id, appointed_on, created_by, created_at)
		VALUES ($1,$2,$3,$4,$5,$6)`, g.ID, g.CaseID, g.AgencyID, g.AppointedOn, g.CreatedBy, g.CreatedAt)
	return classify(err)
}

// Guardians lists a case's guardian appointments, oldest first.
func Guardians(ctx context.Context, r Reader, caseID string) ([]Guardian, error) {
	return collect(ctx, r, `SELECT id, case_id, agency_id, appointed_on, created_by, created_at FROM case_guardians WHERE case_id = $1
		ORDER BY created_at, id`, []any{caseID}, func(s scanner) (Guardian, error) {
		var g Guardian
		err := s.Scan(&g.ID, &g.CaseID, &g.AgencyID, &g.AppointedOn, &g.CreatedBy, &g.CreatedAt)
		return g, err
	})
}

// CompleteTasksOfKind marks the open tasks of a kind on a case done, and
// returns their ids: work a recorded fact has completed (a guardian
// appointed completes the appointment task).
func (tx *Tx) CompleteTasksOfKind(ctx context.Context, caseID, kind string) ([]string, error) {
	ids, err := collect(ctx, tx, `SELECT id FROM tasks WHERE case_id = $1 AND kind = $2 AND done_at IS NULL ORDER BY id`,
		[]any{caseID, kind}, func(s scanner) (string, error) {
			var id string
			err := s.Scan(&id)
			return id, err
		})
	if err != nil {
		return nil, err
	}
	if len(ids) == 0 {
		return nil, nil
	}
	if _, err := tx.ExecContext(ctx, `UPDATE tasks SET done_at = $1, version = version + 1 WHERE case_id = $2 AND kind = $3 AND done_at IS NULL`,
		Millis(tx.Now), caseID, kind); err != nil {
		return nil, classify(err)
	}
	return ids, nil
}

// TaskOwnerIn picks who owns work given to an agency: its longest-standing
// enabled user of one of roles, or "" when it has none.
func TaskOwnerIn(ctx context.Context, r Reader, agencyID string, roles []string) (string, error) {
	users, err := collect(ctx, r, `SELECT id, role FROM users WHERE agency_id = $1 AND disabled = 0 ORDER BY created_at, id`,
		[]any{agencyID}, func(s scanner) ([2]string, error) {
			var u [2]string
			err := s.Scan(&u[0], &u[1])
			return u, err
		})
	if err != nil {
		return "", err
	}
	for _, u := range users {
		for _, role := range roles {
			if u[1] == role {
				return u[0], nil
			}
		}
	}
	return "", nil
}

// AgencyIs reports whether an agency is of a kind in a jurisdiction.
func AgencyIs(ctx context.Context, r Reader, agencyID, jurisdictionID, kind string) (bool, error) {
	var n int
	err := r.QueryRowContext(ctx, `SELECT COUNT(*) FROM agencies WHERE id = $1 AND jurisdiction_id = $2 AND kind = $3`,
		agencyID, jurisdictionID, kind).Scan(&n)
	return n > 0, classify(err)
}
