package cases

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/haven-nrm/haven/internal/access"
	"github.com/haven-nrm/haven/internal/audit"
	"github.com/haven-nrm/haven/internal/handover"
	"github.com/haven-nrm/haven/internal/store"
	"github.com/haven-nrm/haven/internal/support"
)

// HandOverInput is the input of offering a case to another agency.
type HandOverInput struct {
	SupportVersion        string `field:"support_version"`
	Kind                  string `field:"kind"`
	ToAgency              string `field:"to_agency"`
	Service               string `field:"service"`
	OverrideReason        string `field:"override_reason"`
	OverrideJustification string `field:"override_justification"`
}

// HandoverResponseInput is the input of answering a handover.
type HandoverResponseInput struct {
	Handover        string `field:"handover"`
	HandoverVersion string `field:"handover_version"`
	Response        string `field:"response"`
	RejectReason    string `field:"reject_reason"`
}

// ConferenceInput is the input of a case conference, with one optional
// follow-up action.
type ConferenceInput struct {
	HeldOn      string   `field:"held_on"`
	Sectors     []string `field:"sectors"`
	Agencies    []string `field:"agencies"`
	Decisions   string   `field:"decisions"`
	ActionOwner string   `field:"action_owner"`
	ActionDue   string   `field:"action_due"`
	ActionKind  string   `field:"action_kind"`
	ActionText  string   `field:"action_text"`
}

// TaskInput is the input of adding a task.
type TaskInput struct {
	Owner string `field:"owner"`
	Due   string `field:"due"`
	Kind  string `field:"kind"`
	Text  string `field:"text"`
}

// TaskDoneInput is the input of completing a task.
type TaskDoneInput struct {
	Task        string `field:"task"`
	TaskVersion string `field:"task_version"`
}

// Offer a case to another agency: a transfer (ownership moves when the
// receiver accepts) or a referral (the receiver works on the case while
// the referral stands). The person's data go there only with consent to
// share with that agency, or on an audited override.
func (s *Service) HandOver(ctx context.Context, p access.Principal, d *Dossier, in HandOverInput) error {
	kind, err := codeOf(in.Kind, "kind", handover.Kinds())
	if err != nil {
		return err
	}
	to, err := idOf(in.ToAgency, "to_agency")
	if err != nil {
		return err
	}
	_, aerr := s.DB.Agency(ctx, to)
	var existing []handover.Handover
	for _, h := range d.Handovers {
		existing = append(existing, handover.Handover{Kind: h.Kind, State: h.State, From: h.FromAgencyID, To: h.ToAgencyID})
	}
	if err := handover.CanOffer(kind, d.Case.AgencyID, to, aerr == nil, d.Case.ClosedAt != 0, existing); err != nil {
		return err
	}
	var svc support.ServiceType
	if v := in.Service; v != "" {
		if !slices.Contains(ServiceCodes(), v) {
			return badField("service")
		}
		svc = support.ServiceType(v)
	}
	ov, just, err := s.share(p, d, in.OverrideReason, in.OverrideJustification, to, svc)
	if err != nil {
		return err
	}
	basis := "consent"
	if ov != nil {
		basis = "override"
	}
	h := store.Handover{ID: store.NewID(), CaseID: d.Case.ID, Kind: kind, FromAgencyID: d.Case.AgencyID, ToAgencyID: to, Service: string(svc),
		State: handover.StatePending, Basis: basis, CreatedBy: p.UserID}
	overrides := d.Overrides
	if ov != nil {
		overrides = append(slices.Clone(overrides), *ov)
	}
	return s.supportChange(ctx, p, d, in.SupportVersion, "case.handover_offer", map[string]string{"handover": h.ID, "kind": kind, "to": to, "basis": basis},
		func(doc *store.SupportDoc) error { doc.Overrides = mustJSON(overrides); return nil },
		func(c *change) error {
			if ov != nil {
				if err := s.overrideRecorded(c, d, ov, just); err != nil {
					return err
				}
			}
			h.CreatedAt = store.Millis(c.tx.Now)
			if err := c.tx.InsertHandover(ctx, h); err != nil {
				return err
			}
			return s.alert(c, to, kind+"_offered", d.Case.ID)
		})
}

// RespondHandover applies the sender's or the receiver's answer to a
// handover. An accepted transfer moves the case to the receiver.
func (s *Service) RespondHandover(ctx context.Context, p access.Principal, d *Dossier, in HandoverResponseInput) error {
	h, err := rowOf(d.Handovers, "handover", in.Handover, func(h store.Handover) string { return h.ID })
	if err != nil {
		return err
	}
	response, err := codeOf(in.Response, "response", handover.Responses())
	if err != nil {
		return err
	}
	if err := seenAt(in.HandoverVersion, "handover_version", h.Version); err != nil {
		return err
	}
	var side handover.Side
	switch p.AgencyID {
	case h.ToAgencyID:
		side = handover.Receiver
	case h.FromAgencyID:
		side = handover.Sender
	default:
		// The competent authority of the jurisdiction may revoke on the
		// owner's behalf; no one else answers for either side.
		if p.Role != access.CompetentAuthority || response != handover.Revoke {
			return &handover.Error{Code: "wrong_side"}
		}
		side = handover.Sender
	}
	reason := in.RejectReason
	state, err := handover.Respond(handover.Handover{Kind: h.Kind, State: h.State, From: h.FromAgencyID, To: h.ToAgencyID}, side, response, reason)
	if err != nil {
		return err
	}
	// A case belongs to the jurisdiction of the agency that owns it: a
	// transfer accepted across a border (to another jurisdiction's
	// competent authority, say) moves the case out of the sender's
	// jurisdiction and queue into the receiver's.
	var toJurisdiction string
	if h.Kind == handover.KindTransfer && state == handover.StateAccepted {
		a, err := s.DB.Agency(ctx, h.ToAgencyID)
		if err != nil {
			return err
		}
		toJurisdiction = a.JurisdictionID
	}
	return s.write(ctx, p, func(c *change) error {
		h.State, h.DecidedBy, h.DecidedAt = state, p.UserID, store.Millis(c.tx.Now)
		if state == handover.StateRejected {
			h.RejectReason = reason
		}
		if err := c.tx.UpdateHandover(ctx, h); err != nil {
			return asConflict(err)
		}
		details := map[string]string{"handover": h.ID, "kind": h.Kind, "state": state}
		if h.Kind == handover.KindTransfer && state == handover.StateAccepted {
			// Ownership moves on acceptance only, on the case as it is
			// now: the case row's version guards it.
			cur, err := store.CaseIn(ctx, c.tx, d.Case.ID)
			if err != nil {
				return err
			}
			u := cur.Update()
			u.AgencyID, u.AssignedUserID, u.JurisdictionID = h.ToAgencyID, "", toJurisdiction
			if err := c.tx.UpdateCase(ctx, u); err != nil {
				return asConflict(err)
			}
			details["owner"] = h.ToAgencyID
			if toJurisdiction != cur.JurisdictionID {
				details["jurisdiction_from"], details["jurisdiction_to"] = cur.JurisdictionID, toJurisdiction
			}
		}
		if err := c.audit("case.handover_"+response, "case", d.Case.ID, details); err != nil {
			return err
		}
		notify := h.FromAgencyID
		if side == handover.Sender {
			notify = h.ToAgencyID
		}
		return s.alert(c, notify, "handover_"+state, d.Case.ID)
	})
}

// Sectors are the disciplines of a multidisciplinary team (the seed's
// MDT).
func Sectors() []string {
	return []string{"social_work", "labour", "health", "justice", "education", "police", "immigration", "ngo", "local_government"}
}

// TaskKinds are the kinds of tasks.
func TaskKinds() []string {
	return []string{"follow_up", "conference_action", "service_arrangement", "safety_check", "document", "reintegration_follow_up", TaskGuardian, "other"}
}

// Conference records a case conference: the day, the sectors and agencies
// present, the decisions (sealed) and one follow-up action as a task.
func (s *Service) Conference(ctx context.Context, p access.Principal, d *Dossier, in ConferenceInput) error {
	loc := d.Country.Calendar.Location()
	held, err := dateOf(in.HeldOn, "held_on", loc, true)
	if err != nil {
		return err
	}
	if held.After(s.Now()) {
		return badField("held_on")
	}
	sectors, err := codesOfList(in.Sectors, "sectors", Sectors())
	if err != nil {
		return err
	}
	if len(sectors) < 2 {
		// A multidisciplinary team has at least two disciplines.
		return badField("sectors")
	}
	var agencies []string
	for _, a := range in.Agencies {
		if a == "" {
			continue
		}
		if !audit.IsToken(a) {
			return badField("agencies")
		}
		if _, err := s.DB.Agency(ctx, a); err != nil {
			return badField("agencies")
		}
		if !slices.Contains(agencies, a) {
			agencies = append(agencies, a)
		}
	}
	decisions, err := textOf(in.Decisions, "decisions", true)
	if err != nil {
		return err
	}
	task, taskText, err := s.taskFrom(ctx, taskFields{Owner: in.ActionOwner, Due: in.ActionDue, Kind: in.ActionKind, Text: in.ActionText}, d,
		"action_", "conference_action")
	if err != nil {
		return err
	}
	conf := store.Conference{ID: store.NewID(), CaseID: d.Case.ID, HeldOn: held.Format(time.DateOnly), Sectors: strings.Join(sectors, ","),
		Agencies: strings.Join(agencies, ","), CreatedBy: p.UserID}
	return s.write(ctx, p, func(c *change) error {
		conf.CreatedAt = store.Millis(c.tx.Now)
		if err := c.tx.InsertConference(ctx, conf); err != nil {
			return err
		}
		if err := c.audit("case.conference", "case", d.Case.ID, map[string]string{"conference": conf.ID, "sectors": strings.Join(sectors, ".")}); err != nil {
			return err
		}
		if err := s.note(c, d.Case.ID, "conference_decisions", conf.ID, decisions); err != nil {
			return err
		}
		if task != nil {
			task.ConferenceID = conf.ID
			return s.insertTask(c, d, *task, taskText)
		}
		return nil
	})
}

// taskFields are the fields of a task, as a form gives them.
type taskFields struct{ Owner, Due, Kind, Text string }

// taskFrom reads an optional task: owner, due day, kind and description,
// whose fields are named under a prefix.
func (s *Service) taskFrom(ctx context.Context, in taskFields, d *Dossier, prefix, defaultKind string) (*store.Task, string, error) {
	owner := in.Owner
	if owner == "" {
		return nil, "", nil
	}
	if !audit.IsToken(owner) {
		return nil, "", badField(prefix + "owner")
	}
	u, err := s.DB.UserByID(ctx, owner)
	if err != nil || u.Disabled {
		return nil, "", badField(prefix + "owner")
	}
	due, err := dateOf(in.Due, prefix+"due", d.Country.Calendar.Location(), true)
	if err != nil {
		return nil, "", err
	}
	kind := defaultKind
	if v := in.Kind; v != "" {
		if !slices.Contains(TaskKinds(), v) {
			return nil, "", badField(prefix + "kind")
		}
		kind = v
	}
	desc, err := textOf(in.Text, prefix+"text", true)
	if err != nil {
		return nil, "", err
	}
	return &store.Task{ID: store.NewID(), CaseID: d.Case.ID, OwnerUserID: u.ID, Kind: kind, DueAt: store.Millis(d.Country.Calendar.EndOfDay(due))}, desc, nil
}

func (s *Service) insertTask(c *change, d *Dossier, t store.Task, desc string) error {
	t.CreatedBy, t.CreatedAt = c.actor.UserID, store.Millis(c.tx.Now)
	if err := c.tx.InsertTask(c.ctx, t); err != nil {
		return err
	}
	if err := c.audit("task.create", "case", d.Case.ID, map[string]string{"task": t.ID, "kind": t.Kind, "owner": t.OwnerUserID}); err != nil {
		return err
	}
	if err := s.note(c, d.Case.ID, "task", t.ID, desc); err != nil {
		return err
	}
	u, err := s.DB.UserByID(c.ctx, t.OwnerUserID)
	if err != nil {
		return err
	}
	return alertUser(c, u, "task_assigned", d.Case.ID)
}

// AddTask adds a task with an owner and a due day.
func (s *Service) AddTask(ctx context.Context, p access.Principal, d *Dossier, in TaskInput) error {
	t, desc, err := s.taskFrom(ctx, taskFields(in), d, "", "follow_up")
	if err != nil {
		return err
	}
	if t == nil {
		return badField("owner")
	}
	return s.write(ctx, p, func(c *change) error { return s.insertTask(c, d, *t, desc) })
}

// CompleteTask marks a task done.
func (s *Service) CompleteTask(ctx context.Context, p access.Principal, d *Dossier, in TaskDoneInput) error {
	t, err := rowOf(d.Tasks, "task", in.Task, func(t store.Task) string { return t.ID })
	if err != nil {
		return err
	}
	v, err := versionOf(in.TaskVersion, "task_version")
	if err != nil {
		return err
	}
	return s.write(ctx, p, func(c *change) error {
		if err := c.tx.CompleteTask(ctx, t.ID, v); err != nil {
			return asConflict(err)
		}
		return c.audit("task.done", "case", d.Case.ID, map[string]string{"task": t.ID})
	})
}

// CloseInput is the input of closing a case.
type CloseInput struct {
	Version       string `field:"version"`
	ClosureReason string `field:"closure_reason"`
	Note          string `field:"note"`
}

// ReopenInput is the input of reopening a case.
type ReopenInput struct {
	Version string `field:"version"`
}

// Close closes the case with a coded reason, which the person's support
// must allow (no unanswered offer, no running service). A reintegrated
// person is followed up first: the case moves to FollowUp with a
// follow-up task three months on.
func (s *Service) Close(ctx context.Context, p access.Principal, d *Dossier, in CloseInput) error {
	v, err := versionOf(in.Version, "version")
	if err != nil {
		return err
	}
	reason, err := codeOf(in.ClosureReason, "closure_reason", handover.ClosureReasons())
	if err != nil {
		return err
	}
	note, err := textOf(in.Note, "note", false)
	if err != nil {
		return err
	}
	if v != d.Case.Version {
		return conflict
	}
	status, followUp, err := handover.Close(d.Case.Status, reason, !support.CanCloseCase(d.Plan).Allowed)
	if err != nil {
		return err
	}
	return s.write(ctx, p, func(c *change) error {
		u := d.Case.Update()
		u.Status, u.ClosureReason, u.QueueKey = status, reason, ""
		if status != handover.CaseFollowUp {
			u.ClosedAt = store.Millis(c.tx.Now)
		}
		if err := c.tx.UpdateCase(ctx, u); err != nil {
			return asConflict(err)
		}
		if err := c.audit("case.close", "case", d.Case.ID, map[string]string{"reason": reason, "status": status}); err != nil {
			return err
		}
		if err := s.note(c, d.Case.ID, "closure", d.Case.ID, note); err != nil {
			return err
		}
		if followUp {
			due := d.Country.Calendar.EndOfDay(c.tx.Now.AddDate(0, 3, 0))
			t := store.Task{ID: store.NewID(), CaseID: d.Case.ID, OwnerUserID: p.UserID, Kind: "reintegration_follow_up", DueAt: store.Millis(due)}
			return s.insertTask(c, d, t, "")
		}
		return nil
	})
}

// Reopen returns a closed or followed-up case to Active, and to the
// authority's queue if a decision is pending.
func (s *Service) Reopen(ctx context.Context, p access.Principal, d *Dossier, in ReopenInput) error {
	if err := seenAt(in.Version, "version", d.Case.Version); err != nil {
		return err
	}
	status, err := handover.Reopen(d.Case.Status)
	if err != nil {
		return err
	}
	return s.write(ctx, p, func(c *change) error {
		u := d.Case.Update()
		u.Status, u.ClosedAt, u.ClosureReason = status, 0, ""
		u.QueueKey = queueKey(d.Record, d.Case.Urgent, c.tx.Now)
		if err := c.tx.UpdateCase(ctx, u); err != nil {
			return asConflict(err)
		}
		return c.audit("case.reopen", "case", d.Case.ID, nil)
	})
}
