package localgov

import (
	"context"
	"strings"
	"time"

	"github.com/haven-nrm/haven/internal/access"
	"github.com/haven-nrm/haven/internal/audit"
	"github.com/haven-nrm/haven/internal/errs"
	"github.com/haven-nrm/haven/internal/store"
	"github.com/haven-nrm/haven/internal/threep"
)

// Activity statuses.
const (
	StatusOpen = "open"
	StatusDone = "done"
)

// ItemInput is an action-plan activity to add.
type ItemInput struct {
	Pillar    string `json:"pillar" field:"pillar"`
	Objective string `json:"objective" field:"objective"`
	Title     string `json:"title" field:"title"`
	Owner     string `json:"owner" field:"owner"`
	Budget    string `json:"budget" field:"budget"`
	Deadline  string `json:"deadline" field:"deadline"`
	Indicator string `json:"indicator" field:"indicator"`
	Baseline  string `json:"baseline" field:"baseline"`
	Target    string `json:"target" field:"target"`
	// Recommendation is the 3P recommendation the activity is meant to
	// meet, when it was added from the self-assessment.
	Recommendation string `json:"recommendation" field:"recommendation"`
}

// checkItem checks an activity's input into a row.
func checkItem(p access.Principal, in ItemInput) (store.PlanItem, error) {
	var it store.PlanItem
	var err error
	if it.Pillar, err = code("pillar", "pillar", in.Pillar, true); err != nil {
		return it, err
	}
	if it.Objective, err = text("objective", in.Objective, 300, true); err != nil {
		return it, err
	}
	if it.Title, err = text("title", in.Title, 300, true); err != nil {
		return it, err
	}
	if it.Owner, err = text("owner", in.Owner, 200, true); err != nil {
		return it, err
	}
	if it.Budget, err = number("budget", in.Budget, 1_000_000_000_000, false); err != nil {
		return it, err
	}
	if it.Deadline, err = day("deadline", in.Deadline, true); err != nil {
		return it, err
	}
	it.Indicator = strings.TrimSpace(in.Indicator)
	if _, ok := IndicatorByCode(it.Indicator); !ok {
		return it, refuse("indicator", "code")
	}
	if it.Baseline, err = number("baseline", in.Baseline, 1_000_000_000, false); err != nil {
		return it, err
	}
	if it.Target, err = number("target", in.Target, 1_000_000_000, true); err != nil {
		return it, err
	}
	if rec := strings.TrimSpace(in.Recommendation); rec != "" {
		if _, ok := threep.QuestionOf(rec); !ok {
			return it, refuse("recommendation", "code")
		}
		it.Recommendation = rec
	}
	it.ID, it.AgencyID, it.CreatedBy, it.Status, it.Current = store.NewID(), p.AgencyID, p.UserID, StatusOpen, it.Baseline
	return it, nil
}

// AddItem adds an activity to the agency's action plan and returns its id.
func (s *Service) AddItem(ctx context.Context, p access.Principal, in ItemInput) (string, error) {
	if err := decide(access.ManageLocalGov, p); err != nil {
		return "", err
	}
	it, err := checkItem(p, in)
	if err != nil {
		return "", err
	}
	ev := event(p, "localgov.plan_item_add", "localgov_plan_item", it.ID,
		map[string]string{"pillar": it.Pillar, "indicator": it.Indicator, "recommendation": it.Recommendation})
	err = s.write(ctx, ev, func(tx *store.Tx, now int64) error {
		it.CreatedAt = now
		return tx.InsertPlanItem(ctx, it)
	})
	return it.ID, err
}

// ProgressInput is progress on one activity: the indicator's value on a
// day, with the evidence for it.
type ProgressInput struct {
	Version    string `json:"version" field:"version"`
	Value      string `json:"value" field:"value"`
	Evidence   string `json:"evidence" field:"evidence"`
	RecordedOn string `json:"recorded_on" field:"recorded_on"`
}

// RecordProgress records progress on activity id of p's agency; an
// activity whose value reaches its target is done, and its tasks with it.
// Another agency's activity is NotFound, as if it did not exist.
func (s *Service) RecordProgress(ctx context.Context, p access.Principal, id string, in ProgressInput) error {
	it, err := s.activity(ctx, p, access.UpdatePlanItem, id)
	if err != nil {
		return err
	}
	return s.progress(ctx, p, it, in, "localgov.progress_record")
}

// activity reads activity id for p to act on it (action, decided on the
// activity's agency); an activity p may not act on is NotFound, as if it
// did not exist.
func (s *Service) activity(ctx context.Context, p access.Principal, action access.Action, id string) (store.PlanItem, error) {
	it, err := store.PlanItemByID(ctx, s.db.R(), id)
	if err != nil {
		return store.PlanItem{}, err
	}
	if d := access.Decide(action, p, access.Resource{AgencyID: it.AgencyID}); !d.Allow {
		return store.PlanItem{}, errs.E(errs.NotFound, "no such activity")
	}
	return it, nil
}

// reached reports whether value has reached target, going up or down from
// the baseline.
func reached(baseline, target, value int64) bool {
	if target >= baseline {
		return value >= target
	}
	return value <= target
}

// ReviewInput is a periodic review of the plan.
type ReviewInput struct {
	ReviewedOn string `json:"reviewed_on" field:"reviewed_on"`
	Summary    string `json:"summary" field:"summary"`
}

// AddReview records a review of the agency's plan.
func (s *Service) AddReview(ctx context.Context, p access.Principal, in ReviewInput) error {
	if err := decide(access.ManageLocalGov, p); err != nil {
		return err
	}
	on, err := day("reviewed_on", in.ReviewedOn, true)
	if err != nil {
		return err
	}
	sum, err := text("summary", in.Summary, 4000, true)
	if err != nil {
		return err
	}
	v := store.PlanReview{ID: store.NewID(), AgencyID: p.AgencyID, ReviewedOn: on, Summary: sum, CreatedBy: p.UserID}
	return s.write(ctx, event(p, "localgov.review_add", "localgov_review", v.ID, nil), func(tx *store.Tx, now int64) error {
		v.CreatedAt = now
		return tx.InsertPlanReview(ctx, v)
	})
}

// RaiseOverdue raises a task for every unfinished activity whose deadline
// passed before now's day, once per activity and deadline, and returns how
// many it raised. It is Haven's own doing: the events name the system.
func (s *Service) RaiseOverdue(ctx context.Context, now time.Time) (int, error) {
	today := now.UTC().Format(time.DateOnly)
	items, err := store.OverduePlanItems(ctx, s.db.R(), today)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, it := range items {
		err := s.db.Write(ctx, func(tx *store.Tx) error {
			t := store.LocalGovTask{ID: store.NewID(), AgencyID: it.AgencyID, ItemID: it.ID, Kind: "activity_overdue", DueOn: it.Deadline, CreatedAt: store.Millis(tx.Now)}
			fresh, err := tx.InsertLocalGovTaskOnce(ctx, t)
			if err != nil || !fresh {
				return err
			}
			n++
			return tx.Audit(ctx, audit.Event{Actor: audit.SystemActor, Action: "localgov.task_raise", ObjectType: "localgov_task", ObjectID: t.ID,
				Agency: it.AgencyID, Reason: "activity_overdue", Details: map[string]string{"plan_item": it.ID}})
		})
		if err != nil {
			return n, err
		}
	}
	return n, nil
}
