package casework

import (
	"slices"
	"time"
)

// Decision is a reasonable-grounds or conclusive-grounds decision as the
// decider gives it.
type Decision struct {
	// ExpectedVersion is the version of the record the decider saw.
	ExpectedVersion int64
	By              string // user id
	// Outcome: RGPositive or RGNegative for reasonable grounds; one of the
	// country's conclusive outcome codes for conclusive grounds.
	Outcome string
}

// Consultation records that a party's views were sought before a negative
// conclusive decision.
type Consultation struct {
	ExpectedVersion int64
	By              string
	Party           string // e.g. first_responder, support_provider, police, local_authority
}

// Review is a second person's review of a proposed negative decision.
type Review struct {
	ExpectedVersion int64
	By              string
	Outcome         string // ReviewUpheld or ReviewReturned
}

// Reconsideration is a request to reconsider a negative decision.
type Reconsideration struct {
	ExpectedVersion int64
	By              string
}

// Extension moves the end of the recovery period later.
type Extension struct {
	ExpectedVersion int64
	By              string
	NewEnd          time.Time
}

// NewRecord opens the decision record of a case referred at referredAt:
// version 1, state referred, possible victim, and the reasonable-grounds
// deadline counted in the country's working days. cfg comes from
// ParseCountry or a Countries set.
func NewRecord(caseID string, referredAt time.Time, child bool, cfg Country) (Record, []Event, error) {
	if caseID == "" || referredAt.IsZero() || cfg.Code == "" {
		return Record{}, nil, &Error{Code: CodeInvalidInput, Detail: "case id, referral time and country are required"}
	}
	r := Record{CaseID: caseID, Country: cfg.Code, Child: child, Version: 1, State: StateReferred,
		TraffickingStatus: StatusOf(StateReferred), ReferredAt: referredAt, RGClockStart: referredAt,
		RGDeadline: cfg.RGDeadline(referredAt), CalendarVersion: cfg.CalendarVersion, UpdatedAt: referredAt}
	return r, []Event{{Code: EventRecordOpened, CaseID: caseID, Version: 1, At: referredAt, To: r.State, Status: r.TraffickingStatus}}, nil
}

// check refuses a change made for another country, on a stale copy, by no
// one or at no time.
func check(r Record, cfg *Country, expected int64, by string, now time.Time) error {
	if cfg != nil && r.Country != cfg.Code {
		return refuse(CodeWrongCountry, r, "record %s, configuration %s", r.Country, cfg.Code)
	}
	if expected != r.Version {
		return refuse(CodeStaleVersion, r, "expected version %d, record at %d", expected, r.Version)
	}
	if by == "" {
		return refuse(CodeActorRequired, r, "")
	}
	if now.IsZero() {
		return refuse(CodeInvalidInput, r, "no time given")
	}
	return nil
}

// change is one change under way: the new record and its events.
type change struct {
	from   Record
	to     Record
	by     string
	now    time.Time
	events []Event
}

func begin(r Record, by string, now time.Time) *change {
	n := r
	n.Consultations = slices.Clone(r.Consultations)
	n.Version = r.Version + 1
	n.UpdatedAt = now
	return &change{from: r, to: n, by: by, now: now}
}

func (c *change) emit(e Event) {
	e.CaseID, e.Version, e.At, e.By = c.to.CaseID, c.to.Version, c.now, c.by
	c.events = append(c.events, e)
}

// done sets the trafficking status that follows from the new state and
// reports its change.
func (c *change) done() (Record, []Event, error) {
	c.to.TraffickingStatus = StatusOf(c.to.State)
	for i := range c.events {
		c.events[i].Status = c.to.TraffickingStatus
	}
	if c.to.TraffickingStatus != c.from.TraffickingStatus {
		c.emit(Event{Code: EventStatusChanged, From: c.from.State, To: c.to.State, Status: c.to.TraffickingStatus})
	}
	return c.to, c.events, nil
}

// conclude runs the recovery period at least to the end of the day a
// conclusive decision took effect, when its terms say so.
func (c *change) conclude(cfg Country) {
	p := c.to.Period
	if !p.Open() || !p.UntilConclusive {
		return
	}
	if end := cfg.Calendar.EndOfDay(c.now); end.After(p.End) {
		c.to.Period.End = end
		c.emit(Event{Code: EventPeriodExtended, From: c.from.State, To: c.to.State, Outcome: "until_conclusive", PeriodEnd: end})
	}
}

// periodEnd is the end of a period opened at start: the end of the day
// the country's minimum number of days later in its zone, or of the day
// that many times 24 hours later if that is later (a clock change can
// otherwise take an hour off a period opened just before midnight).
func periodEnd(start time.Time, cfg Country) time.Time {
	days := cfg.RecoveryMinimumDays
	byDate := cfg.Calendar.endOf(cfg.Calendar.dayOf(start) + int64(days))
	byHours := cfg.Calendar.EndOfDay(start.Add(time.Duration(days) * 24 * time.Hour))
	if byHours.After(byDate) {
		return byHours
	}
	return byDate
}

// DecideReasonableGrounds records a reasonable-grounds decision on a
// referred case, or on one whose negative RG decision is being
// reconsidered. A positive decision opens the recovery and reflection
// period: from now to the end of the day the country's minimum number of
// days later, in the country's zone (never less than that many times 24
// hours). A negative one awaits a second person's review
// (rg_negative_pending_review) when the country's settings ask for it
// (NegativeNeedsReview); the status stays possible victim until it is
// upheld.
func DecideReasonableGrounds(rec Record, d Decision, now time.Time, cfg Country) (Record, []Event, error) {
	if err := check(rec, &cfg, d.ExpectedVersion, d.By, now); err != nil {
		return Record{}, nil, err
	}
	if !rec.AwaitingReasonableGrounds() {
		return Record{}, nil, refuse(CodeOutOfOrder, rec, "no reasonable-grounds decision is pending")
	}
	if d.Outcome != RGPositive && d.Outcome != RGNegative {
		return Record{}, nil, refuse(CodeUnknownOutcome, rec, "reasonable grounds")
	}
	c := begin(rec, d.By, now)
	positive := d.Outcome == RGPositive
	c.to.ReasonableGrounds = DecisionEntry{Outcome: d.Outcome, Positive: positive, By: d.By, At: now, EffectiveAt: now}
	switch {
	case positive:
		c.to.State = StateRGPositive
	case NegativeNeedsReview(StageReasonableGrounds, cfg):
		c.to.State = StateRGNegativePendingReview
		c.to.ReasonableGrounds.EffectiveAt = time.Time{}
		c.to.Review = ReviewEntry{}
		c.emit(Event{Code: EventRGProposedNegative, From: rec.State, To: c.to.State, Outcome: d.Outcome})
		return c.done()
	default:
		c.to.State = StateRGNegative
	}
	c.emit(Event{Code: EventRGDecided, From: rec.State, To: c.to.State, Outcome: d.Outcome})
	// A positive RG is reached only from a stage that never had one, so
	// no period is open yet; an open one would be kept as it is.
	if positive && !c.to.Period.Open() {
		end := periodEnd(now, cfg)
		c.to.Period = Period{Start: now, End: end, MinimumDays: cfg.RecoveryMinimumDays, UntilConclusive: cfg.RecoveryUntilConclusive}
		c.emit(Event{Code: EventPeriodOpened, From: rec.State, To: c.to.State, PeriodEnd: end})
	}
	return c.done()
}

// DecideConclusive records a conclusive-grounds decision, allowed only
// after a positive reasonable-grounds decision (or when a negative one is
// reconsidered). A positive outcome takes effect at once. A negative one
// needs every consultation the country requires for this person recorded
// first, and then only awaits a second person's review
// (cg_negative_pending_review); the status stays possible victim until it
// is upheld.
func DecideConclusive(rec Record, d Decision, now time.Time, cfg Country) (Record, []Event, error) {
	if err := check(rec, &cfg, d.ExpectedVersion, d.By, now); err != nil {
		return Record{}, nil, err
	}
	if !rec.AwaitingConclusive() || rec.State == StateCGNegativePendingReview {
		return Record{}, nil, refuse(CodeOutOfOrder, rec, "no conclusive decision can be taken now")
	}
	o, ok := cfg.Outcome(d.Outcome)
	if !ok {
		return Record{}, nil, refuse(CodeUnknownOutcome, rec, "conclusive grounds")
	}
	if !o.Positive {
		if missing := missingConsultations(rec, cfg); len(missing) > 0 {
			return Record{}, nil, &Error{Code: CodeConsultationMissing, State: rec.State, Missing: missing}
		}
	}
	c := begin(rec, d.By, now)
	c.to.Conclusive = DecisionEntry{Outcome: o.Code, Positive: o.Positive, By: d.By, At: now}
	if o.Positive {
		c.to.State = StateCGPositive
		c.to.Conclusive.EffectiveAt = now
		c.emit(Event{Code: EventCGDecided, From: rec.State, To: c.to.State, Outcome: o.Code})
		c.conclude(cfg)
	} else {
		c.to.State = StateCGNegativePendingReview
		c.emit(Event{Code: EventCGProposedNegative, From: rec.State, To: c.to.State, Outcome: o.Code})
	}
	return c.done()
}

func missingConsultations(rec Record, cfg Country) []string {
	done := rec.Consulted()
	var missing []string
	for _, p := range cfg.RequiredConsultations(rec.Child) {
		if !slices.Contains(done, p) {
			missing = append(missing, p)
		}
	}
	return missing
}

// RecordConsultation records that a party was consulted in the current
// conclusive round: after a positive reasonable-grounds decision and before
// a negative conclusive decision takes effect. The party must be one the
// country consults (for anyone or for a child).
func RecordConsultation(rec Record, k Consultation, now time.Time, cfg Country) (Record, []Event, error) {
	if err := check(rec, &cfg, k.ExpectedVersion, k.By, now); err != nil {
		return Record{}, nil, err
	}
	if !rec.AwaitingConclusive() {
		return Record{}, nil, refuse(CodeOutOfOrder, rec, "consultations belong to the conclusive stage")
	}
	if !slices.Contains(cfg.RequiredConsultations(true), k.Party) {
		return Record{}, nil, refuse(CodeUnknownParty, rec, "consultation")
	}
	c := begin(rec, k.By, now)
	c.to.Consultations = append(c.to.Consultations, ConsultationEntry{Party: k.Party, By: k.By, At: now})
	c.emit(Event{Code: EventConsultationRecorded, From: rec.State, To: c.to.State, Party: k.Party})
	return c.done()
}

// ReviewNegative records a second person's review of a proposed negative
// decision; the reviewer must not be the decider.
//
// A negative conclusive decision upheld takes effect (cg_negative, not a
// victim) provided every consultation the country requires is still
// recorded; returned, the case goes back to await a conclusive decision,
// with its consultations kept.
//
// A negative reasonable-grounds decision upheld takes effect (rg_negative,
// not a victim); returned, the case goes back to await a
// reasonable-grounds decision in the round it was proposed in (the
// referral, or a reconsideration), under the deadline that already ran.
func ReviewNegative(rec Record, rv Review, now time.Time, cfg Country) (Record, []Event, error) {
	if err := check(rec, &cfg, rv.ExpectedVersion, rv.By, now); err != nil {
		return Record{}, nil, err
	}
	proposer, pending := rec.PendingReview()
	if !pending {
		return Record{}, nil, refuse(CodeOutOfOrder, rec, "no negative decision awaits review")
	}
	if rv.By == proposer {
		return Record{}, nil, refuse(CodeSamePersonReview, rec, "")
	}
	if rec.State == StateRGNegativePendingReview {
		return reviewNegativeRG(rec, rv, now)
	}
	switch rv.Outcome {
	case ReviewUpheld:
		if missing := missingConsultations(rec, cfg); len(missing) > 0 {
			return Record{}, nil, &Error{Code: CodeConsultationMissing, State: rec.State, Missing: missing}
		}
	case ReviewReturned:
	default:
		return Record{}, nil, refuse(CodeUnknownOutcome, rec, "review")
	}
	c := begin(rec, rv.By, now)
	c.to.Review = ReviewEntry{By: rv.By, At: now, Outcome: rv.Outcome}
	if rv.Outcome == ReviewUpheld {
		c.to.State = StateCGNegative
		c.to.Conclusive.EffectiveAt = now
		c.emit(Event{Code: EventNegativeReviewed, From: rec.State, To: c.to.State, Outcome: rv.Outcome})
		c.emit(Event{Code: EventCGDecided, From: rec.State, To: c.to.State, Outcome: c.to.Conclusive.Outcome})
		c.conclude(cfg)
	} else {
		c.to.State = StateRGPositive
		c.to.Conclusive = DecisionEntry{}
		c.emit(Event{Code: EventNegativeReviewed, From: rec.State, To: c.to.State, Outcome: rv.Outcome})
	}
	return c.done()
}

// reviewNegativeRG applies a review to a negative reasonable-grounds
// decision that awaits one.
func reviewNegativeRG(rec Record, rv Review, now time.Time) (Record, []Event, error) {
	if rv.Outcome != ReviewUpheld && rv.Outcome != ReviewReturned {
		return Record{}, nil, refuse(CodeUnknownOutcome, rec, "review")
	}
	c := begin(rec, rv.By, now)
	c.to.Review = ReviewEntry{By: rv.By, At: now, Outcome: rv.Outcome}
	if rv.Outcome == ReviewUpheld {
		c.to.State = StateRGNegative
		c.to.ReasonableGrounds.EffectiveAt = now
		c.emit(Event{Code: EventNegativeRGReviewed, From: rec.State, To: c.to.State, Outcome: rv.Outcome})
		c.emit(Event{Code: EventRGDecided, From: rec.State, To: c.to.State, Outcome: rec.ReasonableGrounds.Outcome})
		return c.done()
	}
	// Returned: the round it was proposed in is open again. A
	// reconsideration of an RG decision is the only way back into the RG
	// stage after the referral, so its stage names the round.
	c.to.State = StateReferred
	if rec.Reconsideration.Stage == StageReasonableGrounds {
		c.to.State = StateReconsiderationRequested
	}
	c.to.ReasonableGrounds = DecisionEntry{}
	c.emit(Event{Code: EventNegativeRGReviewed, From: rec.State, To: c.to.State, Outcome: rv.Outcome})
	return c.done()
}

// RequestReconsideration reopens a negative decision in effect. From
// rg_negative the reasonable-grounds stage reopens with a new deadline
// counted from now; from cg_negative the conclusive stage reopens and, as
// a new round, needs its consultations recorded again before another
// negative decision. Either way the person is a possible victim again.
func RequestReconsideration(rec Record, rq Reconsideration, now time.Time, cfg Country) (Record, []Event, error) {
	if err := check(rec, &cfg, rq.ExpectedVersion, rq.By, now); err != nil {
		return Record{}, nil, err
	}
	c := begin(rec, rq.By, now)
	switch rec.State {
	case StateRGNegative:
		c.to.Reconsideration = ReconsiderationEntry{Stage: StageReasonableGrounds, Of: rec.ReasonableGrounds, By: rq.By, At: now}
		c.to.ReasonableGrounds = DecisionEntry{}
		c.to.RGClockStart = now
		c.to.RGDeadline = cfg.RGDeadline(now)
	case StateCGNegative:
		c.to.Reconsideration = ReconsiderationEntry{Stage: StageConclusiveGrounds, Of: rec.Conclusive, By: rq.By, At: now}
		c.to.Conclusive = DecisionEntry{}
		c.to.Review = ReviewEntry{}
		c.to.Consultations = nil
	default:
		return Record{}, nil, refuse(CodeOutOfOrder, rec, "only a negative decision in effect can be reconsidered")
	}
	c.to.State = StateReconsiderationRequested
	c.emit(Event{Code: EventReconsiderationRequested, From: rec.State, To: c.to.State, Outcome: string(c.to.Reconsideration.Stage)})
	return c.done()
}
