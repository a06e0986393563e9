package store

import (
	"context"
	"database/sql"
	"errors"
	"strings"

	"github.com/haven-nrm/haven/internal/errs"
)

// A local government's own records (migration 0035, package localgov):
// its profile, prevention and partnership records, action plan, progress,
// reviews, tasks, 3P self-assessments and CityShare profiles and comments.

// LocalGovProfile is a local government's profile as stored; Sealed holds
// the focal point's name under the profile's own data key.
type LocalGovProfile struct {
	AgencyID, City     string
	Population         int64
	Record             string
	WrappedKey, Sealed []byte
	Version            int64
	UpdatedBy          string
	UpdatedAt          int64
}

// LocalGovRecord is a prevention record or a partnership agreement.
type LocalGovRecord struct {
	ID, AgencyID, Kind, Category, Title, StartedOn, EndedOn string
	Reach, Cost                                             int64
	Status, Record                                          string
	WrappedKey, Sealed                                      []byte
	CreatedBy                                               string
	CreatedAt                                               int64
}

// PlanItem is an action-plan activity.
type PlanItem struct {
	ID, AgencyID, Pillar, Objective, Title, Owner string
	Budget                                        int64
	Deadline, Indicator                           string
	Baseline, Target, Current                     int64
	Status, Recommendation                        string
	OriginCity, OriginProfile, OriginPractice     string
	Version                                       int64
	CreatedBy                                     string
	CreatedAt, UpdatedAt                          int64
}

// PlanProgress is one progress entry of an activity.
type PlanProgress struct {
	ID, ItemID string
	Value      int64
	Evidence   string
	RecordedOn string
	CreatedBy  string
	CreatedAt  int64
}

// PlanReview is a periodic review of the plan.
type PlanReview struct {
	ID, AgencyID, ReviewedOn, Summary, CreatedBy string
	CreatedAt                                    int64
}

// LocalGovTask is a task raised by an overdue activity.
type LocalGovTask struct {
	ID, AgencyID, ItemID, Kind, DueOn string
	DoneAt                            *int64
	CreatedAt                         int64
}

// ThreePAssessment is a 3P self-assessment as stored.
type ThreePAssessment struct {
	ID, AgencyID                               string
	Year                                       int
	Answers                                    string
	Prevention, Protection, Prosecution, Total int
	CreatedBy                                  string
	CreatedAt                                  int64
}

// CityShareProfile is a published or received policy profile.
type CityShareProfile struct {
	ID, AgencyID, Instance, City, Document, Signature, PublicKey string
	PublishedAt, ReceivedAt                                      int64
}

// CityShareComment is a peer's comment on a practice of a profile.
type CityShareComment struct {
	ID, ProfileID, Practice, AgencyID, Body, CreatedBy string
	CreatedAt                                          int64
}

// UpsertLocalGovProfile writes an agency's profile: a new one when version
// is 0, else only if the stored version is still version (else Conflict).
func (tx *Tx) UpsertLocalGovProfile(ctx context.Context, p LocalGovProfile, version int64) error {
	rec, err := stampDoc(p.Record)
	if err != nil {
		return err
	}
	if version == 0 {
		_, err := tx.ExecContext(ctx, `INSERT INTO localgov_profiles (agency_id, city, population, record, wrapped_key, sealed, version, updated_by, updated_at)
			VALUES ($1,$2,$3,$4,$5,$6,1,$7,$8)`, p.AgencyID, p.City, p.Population, rec, p.WrappedKey, p.Sealed, p.UpdatedBy, p.UpdatedAt)
		return classify(err)
	}
	res, err := tx.ExecContext(ctx, `UPDATE localgov_profiles SET city=$1, population=$2, record=$3, wrapped_key=$4, sealed=$5, version=version+1,
		updated_by=$6, updated_at=$7 WHERE agency_id=$8 AND version=$9`, p.City, p.Population, rec, p.WrappedKey, p.Sealed, p.UpdatedBy, p.UpdatedAt, p.AgencyID, version)
	return oneRow(res, err)
}

// oneRow turns an update that matched no row into a conflict.
func oneRow(res sql.Result, err error) error {
	if err != nil {
		return classify(err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return classify(err)
	} else if n != 1 {
		return errs.E(errs.Conflict, "the record changed since it was read")
	}
	return nil
}

// LocalGovProfileOf reads an agency's profile; NotFound when it has none.
func LocalGovProfileOf(ctx context.Context, r Reader, agencyID string) (LocalGovProfile, error) {
	var p LocalGovProfile
	err := r.QueryRowContext(ctx, `SELECT agency_id, city, population, record, wrapped_key, sealed, version, updated_by, updated_at
		FROM localgov_profiles WHERE agency_id=$1`, agencyID).Scan(&p.AgencyID, &p.City, &p.Population, &p.Record, &p.WrappedKey, &p.Sealed,
		&p.Version, &p.UpdatedBy, &p.UpdatedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return p, errs.E(errs.NotFound, "no local government profile")
	}
	return p, classify(err)
}

// InsertLocalGovRecord stores a prevention record or an agreement.
func (tx *Tx) InsertLocalGovRecord(ctx context.Context, x LocalGovRecord) error {
	rec, err := stampDoc(x.Record)
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO localgov_records (id, agency_id, kind, category, title, started_on, ended_on, reach, cost, status, record,
		wrapped_key, sealed, created_by, created_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15)`,
		x.ID, x.AgencyID, x.Kind, x.Category, x.Title, x.StartedOn, x.EndedOn, x.Reach, x.Cost, x.Status, rec, x.WrappedKey, x.Sealed, x.CreatedBy, x.CreatedAt)
	return classify(err)
}

// LocalGovRecords lists an agency's records, newest first.
func LocalGovRecords(ctx context.Context, r Reader, agencyID string) ([]LocalGovRecord, error) {
	return collect(ctx, r, `SELECT id, agency_id, kind, category, title, started_on, ended_on, reach, cost, status, record, wrapped_key, sealed,
		created_by, created_at FROM localgov_records WHERE agency_id=$1 ORDER BY started_on DESC, id`, []any{agencyID},
		func(s scanner) (LocalGovRecord, error) {
			var x LocalGovRecord
			err := s.Scan(&x.ID, &x.AgencyID, &x.Kind, &x.Category, &x.Title, &x.StartedOn, &x.EndedOn, &x.Reach, &x.Cost, &x.Status, &x.Record,
				&x.WrappedKey, &x.Sealed, &x.CreatedBy, &x.CreatedAt)
			return x, err
		})
}

const planCols = `id, agency_id, pillar, objective, title, owner, budget, deadline, indicator, baseline, target, current_value, status,
	recommendation, origin_city, origin_profile, origin_practice, version, created_by, created_at, updated_at`

func scanPlanItem(s scanner) (PlanItem, error) {
	var p PlanItem
	err := s.Scan(&p.ID, &p.AgencyID, &p.Pillar, &p.Objective, &p.Title, &p.Owner, &p.Budget, &p.Deadline, &p.Indicator, &p.Baseline, &p.Target,
		&p.Current, &p.Status, &p.Recommendation, &p.OriginCity, &p.OriginProfile, &p.OriginPractice, &p.Version, &p.CreatedBy, &p.CreatedAt, &p.UpdatedAt)
	return p, err
}

// InsertPlanItem stores an action-plan activity.
func (tx *Tx) InsertPlanItem(ctx context.Context, p PlanItem) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO localgov_plan_items (`+planCols+`)
		VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,1,$18,$19,$19)`,
		p.ID, p.AgencyID, p.Pillar, p.Objective, p.Title, p.Owner, p.Budget, p.Deadline, p.Indicator, p.Baseline, p.Target, p.Current, p.Status,
		p.Recommendation, p.OriginCity, p.OriginProfile, p.OriginPractice, p.CreatedBy, p.CreatedAt)
	return classify(err)
}

// PlanItems lists an agency's activities by pillar and deadline.
func PlanItems(ctx context.Context, r Reader, agencyID string) ([]PlanItem, error) {
	return collect(ctx, r, `SELECT `+planCols+` FROM localgov_plan_items WHERE agency_id=$1 ORDER BY pillar, deadline, id`, []any{agencyID}, scanPlanItem)
}

// PlanItemByID reads one activity; NotFound when there is none.
func PlanItemByID(ctx context.Context, r Reader, id string) (PlanItem, error) {
	p, err := scanPlanItem(r.QueryRowContext(ctx, `SELECT `+planCols+` FROM localgov_plan_items WHERE id=$1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return p, errs.E(errs.NotFound, "no such activity")
	}
	return p, classify(err)
}

// OverduePlanItems lists unfinished activities whose deadline is before
// day (YYYY-MM-DD), of every agency.
func OverduePlanItems(ctx context.Context, r Reader, day string) ([]PlanItem, error) {
	return collect(ctx, r, `SELECT `+planCols+` FROM localgov_plan_items WHERE status <> 'done' AND deadline <> '' AND deadline < $1
		ORDER BY deadline, id`, []any{day}, scanPlanItem)
}

// UpdatePlanProgress sets an activity's current value and status if its
// version is still version (else Conflict).
func (tx *Tx) UpdatePlanProgress(ctx context.Context, id string, version, current int64, status string, at int64) error {
	res, err := tx.ExecContext(ctx, `UPDATE localgov_plan_items SET current_value=$1, status=$2, version=version+1, updated_at=$3
		WHERE id=$4 AND version=$5`, current, status, at, id, version)
	return oneRow(res, err)
}

// InsertPlanProgress stores a progress entry.
func (tx *Tx) InsertPlanProgress(ctx context.Context, p PlanProgress) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO localgov_progress (id, item_id, value, evidence, recorded_on, created_by, created_at)
		VALUES ($1,$2,$3,$4,$5,$6,$7)`, p.ID, p.ItemID, p.Value, p.Evidence, p.RecordedOn, p.CreatedBy, p.CreatedAt)
	return classify(err)
}

// PlanProgressOf lists an agency's progress entries, by activity and day.
func PlanProgressOf(ctx context.Context, r Reader, agencyID string) ([]PlanProgress, error) {
	return collect(ctx, r, `SELECT g.id, g.item_id, g.value, g.evidence, g.recorded_on, g.created_by, g.created_at FROM localgov_progress g
		JOIN localgov_plan_items i ON i.id = g.item_id WHERE i.agency_id=$1 ORDER BY g.item_id, g.recorded_on, g.created_at`, []any{agencyID},
		func(s scanner) (PlanProgress, error) {
			var p PlanProgress
			err := s.Scan(&p.ID, &p.ItemID, &p.Value, &p.Evidence, &p.RecordedOn, &p.CreatedBy, &p.CreatedAt)
			return p, err
		})
}

// InsertPlanReview stores a review of the plan.
func (tx *Tx) InsertPlanReview(ctx context.Context, v PlanReview) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO localgov_reviews (id, agency_id, reviewed_on, summary, created_by, created_at) VALUES ($1,$2,$3,$4,$5,$6)`,
		v.ID, v.AgencyID, v.ReviewedOn, v.Summary, v.CreatedBy, v.CreatedAt)
	return classify(err)
}

// PlanReviews lists an agency's reviews, newest first.
func PlanReviews(ctx context.Context, r Reader, agencyID string) ([]PlanReview, error) {
	return collect(ctx, r, `SELECT id, agency_id, reviewed_on, summary, created_by, created_at FROM localgov_reviews WHERE agency_id=$1
		ORDER BY reviewed_on DESC, id`, []any{agencyID}, func(s scanner) (PlanReview, error) {
		var v PlanReview
		err := s.Scan(&v.ID, &v.AgencyID, &v.ReviewedOn, &v.Summary, &v.CreatedBy, &v.CreatedAt)
		return v, err
	})
}

// InsertLocalGovTaskOnce raises a task unless one for the same activity,
// kind and due day exists; it reports whether it raised one.
func (tx *Tx) InsertLocalGovTaskOnce(ctx context.Context, t LocalGovTask) (bool, error) {
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM localgov_tasks WHERE item_id=$1 AND kind=$2 AND due_on=$3`, t.ItemID, t.Kind, t.DueOn).Scan(&n); err != nil {
		return false, classify(err)
	}
	if n > 0 {
		return false, nil
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO localgov_tasks (id, agency_id, item_id, kind, due_on, created_at) VALUES ($1,$2,$3,$4,$5,$6)`,
		t.ID, t.AgencyID, t.ItemID, t.Kind, t.DueOn, t.CreatedAt)
	return err == nil, classify(err)
}

// CompleteLocalGovTasks marks an activity's open tasks done and returns
// their ids.
func (tx *Tx) CompleteLocalGovTasks(ctx context.Context, itemID string, at int64) ([]string, error) {
	ids, err := collect(ctx, tx, `SELECT id FROM localgov_tasks WHERE item_id=$1 AND done_at IS NULL ORDER BY id`, []any{itemID},
		func(s scanner) (string, error) { var id string; err := s.Scan(&id); return id, err })
	if err != nil || len(ids) == 0 {
		return nil, err
	}
	_, err = tx.ExecContext(ctx, `UPDATE localgov_tasks SET done_at=$1 WHERE item_id=$2 AND done_at IS NULL`, at, itemID)
	return ids, classify(err)
}

// OpenLocalGovTasks lists an agency's open tasks by due day.
func OpenLocalGovTasks(ctx context.Context, r Reader, agencyID string) ([]LocalGovTask, error) {
	return collect(ctx, r, `SELECT id, agency_id, item_id, kind, due_on, done_at, created_at FROM localgov_tasks WHERE agency_id=$1 AND done_at IS NULL
		ORDER BY due_on, id`, []any{agencyID}, func(s scanner) (LocalGovTask, error) {
		var t LocalGovTask
		err := s.Scan(&t.ID, &t.AgencyID, &t.ItemID, &t.Kind, &t.DueOn, &t.DoneAt, &t.CreatedAt)
		return t, err
	})
}

// InsertThreePAssessment stores a self-assessment.
func (tx *Tx) InsertThreePAssessment(ctx context.Context, a ThreePAssessment) error {
	var err error
	if a.Answers, err = stampDoc(a.Answers); err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO threep_assessments (id, agency_id, year, answers, prevention, protection, prosecution, total, created_by, created_at)
		VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10)`, a.ID, a.AgencyID, a.Year, a.Answers, a.Prevention, a.Protection, a.Prosecution, a.Total, a.CreatedBy, a.CreatedAt)
	return classify(err)
}

// ThreePAssessments lists an agency's self-assessments, newest first.
func ThreePAssessments(ctx context.Context, r Reader, agencyID string) ([]ThreePAssessment, error) {
	return collect(ctx, r, `SELECT id, agency_id, year, answers, prevention, protection, prosecution, total, created_by, created_at
		FROM threep_assessments WHERE agency_id=$1 ORDER BY year DESC, created_at DESC, id`, []any{agencyID}, func(s scanner) (ThreePAssessment, error) {
		var a ThreePAssessment
		err := s.Scan(&a.ID, &a.AgencyID, &a.Year, &a.Answers, &a.Prevention, &a.Protection, &a.Prosecution, &a.Total, &a.CreatedBy, &a.CreatedAt)
		return a, err
	})
}

// InsertCityShareProfile stores a published or received profile.
func (tx *Tx) InsertCityShareProfile(ctx context.Context, p CityShareProfile) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO cityshare_profiles (id, agency_id, instance, city, document, signature, public_key, published_at, received_at)
		VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9)`, p.ID, p.AgencyID, p.Instance, p.City, p.Document, p.Signature, p.PublicKey, p.PublishedAt, p.ReceivedAt)
	return classify(err)
}

const profileCols = `id, agency_id, instance, city, document, signature, public_key, published_at, received_at`

func scanProfile(s scanner) (CityShareProfile, error) {
	var p CityShareProfile
	err := s.Scan(&p.ID, &p.AgencyID, &p.Instance, &p.City, &p.Document, &p.Signature, &p.PublicKey, &p.PublishedAt, &p.ReceivedAt)
	return p, err
}

// CityShareProfiles lists every profile, newest first.
func CityShareProfiles(ctx context.Context, r Reader) ([]CityShareProfile, error) {
	return collect(ctx, r, `SELECT `+profileCols+` FROM cityshare_profiles ORDER BY published_at DESC, id`, nil, scanProfile)
}

// CityShareProfileByID reads one profile; NotFound when there is none.
func CityShareProfileByID(ctx context.Context, r Reader, id string) (CityShareProfile, error) {
	p, err := scanProfile(r.QueryRowContext(ctx, `SELECT `+profileCols+` FROM cityshare_profiles WHERE id=$1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return p, errs.E(errs.NotFound, "no such profile")
	}
	return p, classify(err)
}

// InsertCityShareComment stores a peer-review comment.
func (tx *Tx) InsertCityShareComment(ctx context.Context, c CityShareComment) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO cityshare_comments (id, profile_id, practice, agency_id, body, created_by, created_at) VALUES ($1,$2,$3,$4,$5,$6,$7)`,
		c.ID, c.ProfileID, c.Practice, c.AgencyID, c.Body, c.CreatedBy, c.CreatedAt)
	return classify(err)
}

// CityShareComments lists the comments on a profile, oldest first.
func CityShareComments(ctx context.Context, r Reader, profileID string) ([]CityShareComment, error) {
	return collect(ctx, r, `SELECT id, profile_id, practice, agency_id, body, created_by, created_at FROM cityshare_comments WHERE profile_id=$1
		ORDER BY created_at, id`, []any{profileID}, func(s scanner) (CityShareComment, error) {
		var c CityShareComment
		err := s.Scan(&c.ID, &c.ProfileID, &c.Practice, &c.AgencyID, &c.Body, &c.CreatedBy, &c.CreatedAt)
		return c, err
	})
}

// ReferralFlow is one count of the city's referral network: referrals
// from agencies of one kind to agencies of another, in a jurisdiction.
type ReferralFlow struct {
	FromKind, ToKind string
	Count            int64
}

// ReferralNetwork counts, for cases of a jurisdiction, the handovers and
// service referrals from the owning or handing agency's kind to the
// receiving agency's kind. Counts only: no case, person or agency id.
func ReferralNetwork(ctx context.Context, r Reader, jurisdictionID string) ([]ReferralFlow, error) {
	return collect(ctx, r, `SELECT from_kind, to_kind, CAST(SUM(n) AS BIGINT) FROM (
		SELECT fa.kind AS from_kind, ta.kind AS to_kind, COUNT(*) AS n FROM handovers h
			JOIN cases c ON c.id = h.case_id JOIN agencies fa ON fa.id = h.from_agency_id JOIN agencies ta ON ta.id = h.to_agency_id
			WHERE c.jurisdiction_id = $1 GROUP BY fa.kind, ta.kind
		UNION ALL
		SELECT oa.kind AS from_kind, sa.kind AS to_kind, COUNT(*) AS n FROM service_referrals s
			JOIN cases c ON c.id = s.case_id JOIN agencies oa ON oa.id = c.agency_id JOIN agencies sa ON sa.id = s.agency_id
			WHERE c.jurisdiction_id = $1 GROUP BY oa.kind, sa.kind
	) flows GROUP BY from_kind, to_kind ORDER BY from_kind, to_kind`, []any{jurisdictionID}, func(s scanner) (ReferralFlow, error) {
		var f ReferralFlow
		err := s.Scan(&f.FromKind, &f.ToKind, &f.Count)
		return f, err
	})
}

// LocalGovAgencies lists the agencies that keep local-government records
// (a profile, a prevention or partnership record, or a plan activity) in
// a jurisdiction, or one agency, or — both empty — the whole instance,
// with each agency's jurisdiction.
func LocalGovAgencies(ctx context.Context, r Reader, jurisdictionID, agencyID string) ([][2]string, error) {
	return collect(ctx, r, `SELECT a.id, a.jurisdiction_id FROM agencies a
		WHERE ($1 = '' OR a.jurisdiction_id = $1) AND ($2 = '' OR a.id = $2) AND (
			EXISTS (SELECT 1 FROM localgov_profiles p WHERE p.agency_id = a.id)
			OR EXISTS (SELECT 1 FROM localgov_records x WHERE x.agency_id = a.id)
			OR EXISTS (SELECT 1 FROM localgov_plan_items i WHERE i.agency_id = a.id))
		ORDER BY a.id`, []any{jurisdictionID, agencyID}, func(s scanner) ([2]string, error) {
		var v [2]string
		err := s.Scan(&v[0], &v[1])
		return v, err
	})
}

// AgencyJurisdiction returns the jurisdiction of an agency.
func AgencyJurisdiction(ctx context.Context, r Reader, agencyID string) (string, error) {
	var j string
	err := r.QueryRowContext(ctx, `SELECT jurisdiction_id FROM agencies WHERE id=$1`, agencyID).Scan(&j)
	if errors.Is(err, sql.ErrNoRows) {
		return "", errs.E(errs.NotFound, "no such agency")
	}
	return j, classify(err)
}

// PlanPartner is a user invited to contribute to one activity of a
// local government's plan (migration 0059).
type PlanPartner struct {
	ID, ItemID, AgencyID, UserID, InvitedBy string
	InvitedAt                               int64
}

// InsertPlanPartner stores an invitation; a user already invited to the
// activity is a Conflict.
func (tx *Tx) InsertPlanPartner(ctx context.Context, p PlanPartner) error {
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM localgov_partners WHERE item_id=$1 AND user_id=$2`, p.ItemID, p.UserID).Scan(&n); err != nil {
		return classify(err)
	}
	if n > 0 {
		return errs.E(errs.Conflict, "already invited")
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO localgov_partners (id, item_id, agency_id, user_id, invited_by, invited_at) VALUES ($1,$2,$3,$4,$5,$6)`,
		p.ID, p.ItemID, p.AgencyID, p.UserID, p.InvitedBy, p.InvitedAt)
	return classify(err)
}

// IsPlanPartner reports whether a user was invited to an activity.
func IsPlanPartner(ctx context.Context, r Reader, itemID, userID string) (bool, error) {
	var n int
	err := r.QueryRowContext(ctx, `SELECT COUNT(*) FROM localgov_partners WHERE item_id=$1 AND user_id=$2`, itemID, userID).Scan(&n)
	return n > 0, classify(err)
}

// PartnerItems lists the activities a user was invited to, by deadline.
func PartnerItems(ctx context.Context, r Reader, userID string) ([]PlanItem, error) {
	return collect(ctx, r, `SELECT `+prefixed("i.", planCols)+` FROM localgov_plan_items i JOIN localgov_partners p ON p.item_id = i.id
		WHERE p.user_id=$1 ORDER BY i.deadline, i.id`, []any{userID}, scanPlanItem)
}

// PlanPartnersOf lists the partners invited to an agency's activities.
func PlanPartnersOf(ctx context.Context, r Reader, agencyID string) ([]PlanPartner, error) {
	return collect(ctx, r, `SELECT id, item_id, agency_id, user_id, invited_by, invited_at FROM localgov_partners WHERE agency_id=$1
		ORDER BY item_id, invited_at`, []any{agencyID}, func(s scanner) (PlanPartner, error) {
		var p PlanPartner
		err := s.Scan(&p.ID, &p.ItemID, &p.AgencyID, &p.UserID, &p.InvitedBy, &p.InvitedAt)
		return p, err
	})
}

// ItemProgress lists the progress entries of one activity.
func ItemProgress(ctx context.Context, r Reader, itemID string) ([]PlanProgress, error) {
	return collect(ctx, r, `SELECT id, item_id, value, evidence, recorded_on, created_by, created_at FROM localgov_progress
		WHERE item_id=$1 ORDER BY recorded_on, created_at`, []any{itemID}, func(s scanner) (PlanProgress, error) {
		var p PlanProgress
		err := s.Scan(&p.ID, &p.ItemID, &p.Value, &p.Evidence, &p.RecordedOn, &p.CreatedBy, &p.CreatedAt)
		return p, err
	})
}

// prefixed qualifies each column of a comma-separated list.
func prefixed(prefix, cols string) string {
	var out []string
	for _, c := range strings.Split(cols, ",") {
		out = append(out, prefix+strings.TrimSpace(c))
	}
	return strings.Join(out, ", ")
}
