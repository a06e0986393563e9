package localgov

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/haven-nrm/haven/internal/access"
	"github.com/haven-nrm/haven/internal/errs"
	"github.com/haven-nrm/haven/internal/store"
)

// Partners invited to contribute to named activities (the guide's
// partnerships with NGOs, businesses and other agencies): the local
// government's officer invites a user of any agency to one activity of its
// plan; the partner then sees the activities it was invited to — their
// title, indicator, baseline, target and progress, nothing else of the
// plan or the local government's records — and records progress and
// evidence on them. Every access is decided by access.Decide
// (ContributeToActivity with Resource.Contributor); an activity the
// partner was not invited to answers NotFound, as if it did not exist.

// PartnerInput names the user invited to contribute.
type PartnerInput struct {
	Username string `json:"username" field:"username"`
}

// InvitePartner invites a user to contribute to activity id of p's
// agency (localgov.partner_invite). The user must exist and be enabled;
// administrators are not partners. Inviting the same user twice is a
// refusal, with nothing written.
func (s *Service) InvitePartner(ctx context.Context, p access.Principal, id string, in PartnerInput) error {
	it, err := s.activity(ctx, p, access.InvitePartner, id)
	if err != nil {
		return err
	}
	name := strings.TrimSpace(in.Username)
	if name == "" {
		return refuse("username", "required")
	}
	if len(name) > 100 {
		return refuse("username", "too_long")
	}
	u, err := s.db.UserByUsername(ctx, name)
	if errs.Is(err, errs.NotFound) || (err == nil && (u.Disabled || u.Role == string(access.SystemAdmin) || u.Role == string(access.AgencyAdmin) || u.ID == p.UserID)) {
		return errs.Field("username", "lg.partner.error.user", nil)
	}
	if err != nil {
		return err
	}
	ok, err := store.IsPlanPartner(ctx, s.db.R(), it.ID, u.ID)
	if err != nil {
		return err
	}
	if ok {
		return errs.Field("username", "lg.partner.error.already", nil)
	}
	ev := event(p, "localgov.partner_invite", "localgov_plan_item", it.ID, map[string]string{"partner": u.ID, "partner_agency": u.AgencyID})
	return s.write(ctx, ev, func(tx *store.Tx, now int64) error {
		return tx.InsertPlanPartner(ctx, store.PlanPartner{ID: store.NewID(), ItemID: it.ID, AgencyID: it.AgencyID, UserID: u.ID, InvitedBy: p.UserID, InvitedAt: now})
	})
}

// Contribution is an activity a partner was invited to, as the partner
// sees it: the activity's own fields and its progress, nothing else.
type Contribution struct {
	ID, Pillar, Title, Indicator, Deadline, Status string
	Baseline, Target, Current, Version             int64
	Percent                                        int
	Progress                                       []store.PlanProgress
}

// Contributions lists the activities p was invited to.
func (s *Service) Contributions(ctx context.Context, p access.Principal) ([]Contribution, error) {
	if d := access.Decide(access.ViewContributions, p, access.Resource{OwnerUserID: p.UserID}); !d.Allow {
		return nil, errs.E(errs.Forbidden, "localgov: %s", d.Reason)
	}
	items, err := store.PartnerItems(ctx, s.db.R(), p.UserID)
	if err != nil {
		return nil, err
	}
	out := []Contribution{}
	for _, it := range items {
		g, err := store.ItemProgress(ctx, s.db.R(), it.ID)
		if err != nil {
			return nil, err
		}
		out = append(out, Contribution{ID: it.ID, Pillar: it.Pillar, Title: it.Title, Indicator: it.Indicator, Deadline: it.Deadline, Status: it.Status,
			Baseline: it.Baseline, Target: it.Target, Current: it.Current, Version: it.Version, Percent: percent(it.Baseline, it.Target, it.Current), Progress: g})
	}
	return out, nil
}

// Contribute records a partner's progress and evidence on activity id it
// was invited to (localgov.partner_progress, its event filed under the
// plan's agency). Any other activity is NotFound.
func (s *Service) Contribute(ctx context.Context, p access.Principal, id string, in ProgressInput) error {
	it, err := store.PlanItemByID(ctx, s.db.R(), id)
	if errs.Is(err, errs.NotFound) {
		return errs.E(errs.NotFound, "no such activity")
	}
	if err != nil {
		return err
	}
	invited := false
	if !p.Anonymous() {
		if invited, err = store.IsPlanPartner(ctx, s.db.R(), it.ID, p.UserID); err != nil {
			return err
		}
	}
	if d := access.Decide(access.ContributeToActivity, p, access.Resource{AgencyID: it.AgencyID, Contributor: invited}); !d.Allow {
		return errs.E(errs.NotFound, "no such activity")
	}
	return s.progress(ctx, p, it, in, "localgov.partner_progress")
}

// progress checks progress on an activity and writes it with its audit
// event (action), completing the activity and its tasks when the value
// reaches the target.
func (s *Service) progress(ctx context.Context, p access.Principal, it store.PlanItem, in ProgressInput, action string) error {
	version, err := number("version", in.Version, 1<<40, true)
	if err != nil {
		return err
	}
	value, err := number("value", in.Value, 1_000_000_000, true)
	if err != nil {
		return err
	}
	evidence, err := text("evidence", in.Evidence, 2000, true)
	if err != nil {
		return err
	}
	on, err := day("recorded_on", in.RecordedOn, false)
	if err != nil {
		return err
	}
	if on == "" {
		on = s.now().UTC().Format(time.DateOnly)
	}
	status := StatusOpen
	if reached(it.Baseline, it.Target, value) {
		status = StatusDone
	}
	return s.db.Write(ctx, func(tx *store.Tx) error {
		if err := tx.UpdatePlanProgress(ctx, it.ID, version, value, status, store.Millis(tx.Now)); err != nil {
			return err
		}
		g := store.PlanProgress{ID: store.NewID(), ItemID: it.ID, Value: value, Evidence: evidence, RecordedOn: on, CreatedBy: p.UserID, CreatedAt: store.Millis(tx.Now)}
		if err := tx.InsertPlanProgress(ctx, g); err != nil {
			return err
		}
		ev := event(p, action, "localgov_plan_item", it.ID, map[string]string{"value": strconv.FormatInt(value, 10), "status": status})
		ev.Agency = it.AgencyID
		if err := tx.Audit(ctx, ev); err != nil {
			return err
		}
		if status != StatusDone {
			return nil
		}
		done, err := tx.CompleteLocalGovTasks(ctx, it.ID, store.Millis(tx.Now))
		for _, t := range done {
			te := event(p, "localgov.task_done", "localgov_task", t, nil)
			te.Agency = it.AgencyID
			if err := tx.Audit(ctx, te); err != nil {
				return err
			}
		}
		return err
	})
}
