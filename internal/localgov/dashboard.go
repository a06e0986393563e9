package localgov

import (
	"context"
	"encoding/json"
	"strconv"
	"time"

	"github.com/haven-nrm/haven/internal/access"
	"github.com/haven-nrm/haven/internal/errs"
	"github.com/haven-nrm/haven/internal/store"
	"github.com/haven-nrm/haven/internal/threep"
)

// IndicatorValue is an indicator read for an agency.
type IndicatorValue struct {
	Indicator
	Value float64
	// Known is false when the value cannot be computed (no population, no
	// activity yet).
	Known bool
}

// Item is an action-plan activity with its progress entries.
type Item struct {
	store.PlanItem
	Progress []store.PlanProgress
	// Percent is how far from the baseline to the target the activity
	// has come, 0–100.
	Percent int
	Overdue bool
	// Partners is how many users were invited to contribute to it.
	Partners int64
}

// Assessment is a scored 3P self-assessment.
type Assessment struct {
	ID                                         string
	Year                                       int
	Prevention, Protection, Prosecution, Total int
	Answers                                    map[string]threep.Answer
	Evidence                                   map[string]string
	At                                         time.Time
}

// Dashboard is what a local government's pages show.
type Dashboard struct {
	Profile    Profile
	HasProfile bool
	Records    []Record
	Items      []Item
	Reviews    []store.PlanReview
	Tasks      []store.LocalGovTask
	// Assessments are newest first.
	Assessments []Assessment
	Indicators  []IndicatorValue
	Network     []Flow
	MinCount    int
	CanManage   bool
}

// Latest is the newest assessment, if any.
func (d Dashboard) Latest() (Assessment, bool) {
	if len(d.Assessments) == 0 {
		return Assessment{}, false
	}
	return d.Assessments[0], true
}

// Dashboard reads the agency's records, plan, assessments and indicators.
// Sealed names (the focal point, trained staff) are opened for those who
// may manage the records and their reading is audited; an analyst sees
// counts.
func (s *Service) Dashboard(ctx context.Context, p access.Principal) (Dashboard, error) {
	if err := decide(access.ViewLocalGov, p); err != nil {
		return Dashboard{}, err
	}
	open := access.Allowed(access.ManageLocalGov, p, access.Resource{})
	d, err := s.read(ctx, p.AgencyID, open)
	if err != nil {
		return d, err
	}
	d.CanManage = open
	if open {
		sealed := d.Profile.FocalPoint != ""
		for _, r := range d.Records {
			sealed = sealed || len(r.StaffNames) > 0
		}
		if sealed {
			if err := s.db.RecordViews(ctx, event(p, "localgov.names_view", "localgov_profile", p.AgencyID, nil)); err != nil {
				return Dashboard{}, err
			}
		}
	}
	return d, nil
}

// read loads an agency's dashboard.
func (s *Service) read(ctx context.Context, agencyID string, open bool) (Dashboard, error) {
	var d Dashboard
	var err error
	if d.Profile, d.HasProfile, err = s.profileOf(ctx, agencyID, open); err != nil {
		return d, err
	}
	if d.Records, err = s.records(ctx, agencyID, open); err != nil {
		return d, err
	}
	items, err := store.PlanItems(ctx, s.db.R(), agencyID)
	if err != nil {
		return d, err
	}
	progress, err := store.PlanProgressOf(ctx, s.db.R(), agencyID)
	if err != nil {
		return d, err
	}
	byItem := map[string][]store.PlanProgress{}
	for _, g := range progress {
		byItem[g.ItemID] = append(byItem[g.ItemID], g)
	}
	partners, err := store.PlanPartnersOf(ctx, s.db.R(), agencyID)
	if err != nil {
		return d, err
	}
	invited := map[string]int64{}
	for _, pp := range partners {
		invited[pp.ItemID]++
	}
	today := s.now().UTC().Format(time.DateOnly)
	for _, it := range items {
		d.Items = append(d.Items, Item{PlanItem: it, Progress: byItem[it.ID], Percent: percent(it.Baseline, it.Target, it.Current),
			Overdue: it.Status != StatusDone && it.Deadline < today, Partners: invited[it.ID]})
	}
	if d.Reviews, err = store.PlanReviews(ctx, s.db.R(), agencyID); err != nil {
		return d, err
	}
	if d.Tasks, err = store.OpenLocalGovTasks(ctx, s.db.R(), agencyID); err != nil {
		return d, err
	}
	rows, err := store.ThreePAssessments(ctx, s.db.R(), agencyID)
	if err != nil {
		return d, err
	}
	for _, a := range rows {
		as, err := assessmentOf(a)
		if err != nil {
			return d, err
		}
		d.Assessments = append(d.Assessments, as)
	}
	jur, err := store.AgencyJurisdiction(ctx, s.db.R(), agencyID)
	if err != nil {
		return d, err
	}
	flows, err := store.ReferralNetwork(ctx, s.db.R(), jur)
	if err != nil {
		return d, err
	}
	raw := make([]Flow, len(flows))
	for i, f := range flows {
		raw[i] = Flow{From: f.FromKind, To: f.ToKind, Count: f.Count}
	}
	if d.MinCount, err = s.threshold(ctx, jur); err != nil {
		return d, err
	}
	if d.Network, err = Network(raw, d.MinCount); err != nil {
		return d, err
	}
	m := s.measures(d)
	for _, ind := range Indicators {
		v, ok := ind.Value(m)
		d.Indicators = append(d.Indicators, IndicatorValue{Indicator: ind, Value: v, Known: ok})
	}
	return d, nil
}

// Measures sums the indicators' measures over the local governments in a
// scope (a jurisdiction, one agency, or the whole instance when both are
// empty): the statistics' measure source (stats.MeasureSource). The 3P
// total is summed too, with the number of local governments assessed
// (MeasureAssessed), so that its indicator is their average. Sealed
// fields are never opened; the referral network is counted once per
// jurisdiction, as its local governments all show the same one.
func (s *Service) Measures(ctx context.Context, jurisdictionID, agencyID string) (map[string]int64, error) {
	ags, err := store.LocalGovAgencies(ctx, s.db.R(), jurisdictionID, agencyID)
	if err != nil {
		return nil, err
	}
	out := map[string]int64{}
	network := map[string]bool{}
	for _, a := range ags {
		d, err := s.read(ctx, a[0], false)
		if err != nil {
			return nil, err
		}
		for k, v := range s.measures(d) {
			if k == MeasureNetworkShown {
				if network[a[1]] {
					continue
				}
				network[a[1]] = true
			}
			out[k] += int64(v)
		}
	}
	return out, nil
}

// percent is how far value has come from baseline towards target.
func percent(baseline, target, value int64) int {
	span := target - baseline
	if span == 0 {
		if reached(baseline, target, value) {
			return 100
		}
		return 0
	}
	p := (value - baseline) * 100 / span
	return int(max(0, min(100, p)))
}

// measures computes the measures of the indicators from a dashboard: the
// twelve months up to today for records, the latest state otherwise.
func (s *Service) measures(d Dashboard) map[string]float64 {
	since := s.now().UTC().AddDate(-1, 0, 0).Format(time.DateOnly)
	m := map[string]float64{MeasureCampaignReach: 0, MeasureTrained: 0, MeasureTrainedGain: 0, MeasureCommunityPeople: 0,
		MeasureAgreements: 0, MeasureActivities: float64(len(d.Items)), MeasureActivitiesDone: 0}
	if d.HasProfile {
		m[MeasurePopulation] = float64(d.Profile.Population)
	}
	for _, r := range d.Records {
		recent := r.StartedOn >= since
		switch {
		case r.Kind == KindCampaign && recent:
			m[MeasureCampaignReach] += float64(r.Reach)
		case r.Kind == KindTraining && recent:
			m[MeasureTrained] += float64(r.Reach)
			if r.Details.PreScore != nil && r.Details.PostScore != nil {
				m[MeasureTrainedGain] += float64(*r.Details.PostScore-*r.Details.PreScore) * float64(r.Reach)
			}
		case r.Kind == KindProgramme && recent:
			m[MeasureCommunityPeople] += float64(r.Reach)
		case r.Kind == KindPartnership && r.Status == "active":
			m[MeasureAgreements]++
		}
	}
	for _, it := range d.Items {
		if it.Status == StatusDone {
			m[MeasureActivitiesDone]++
		}
	}
	if a, ok := d.Latest(); ok {
		m[MeasureThreePTotal], m[MeasureAssessed] = float64(a.Total), 1
	}
	var shown float64
	for _, f := range d.Network {
		shown += float64(f.Count)
	}
	m[MeasureNetworkShown] = shown
	return m
}

// storedAnswers is a self-assessment's answers and evidence as stored.
type storedAnswers struct {
	Answers  map[string]threep.Answer `json:"answers"`
	Evidence map[string]string        `json:"evidence"`
}

func assessmentOf(a store.ThreePAssessment) (Assessment, error) {
	var sa storedAnswers
	if err := json.Unmarshal([]byte(a.Answers), &sa); err != nil {
		return Assessment{}, errs.Wrap(errs.Internal, err)
	}
	return Assessment{ID: a.ID, Year: a.Year, Prevention: a.Prevention, Protection: a.Protection, Prosecution: a.Prosecution, Total: a.Total,
		Answers: sa.Answers, Evidence: sa.Evidence, At: time.UnixMilli(a.CreatedAt).UTC()}, nil
}

// AssessmentInput is a completed questionnaire: an answer per question
// code, and evidence per pillar.
type AssessmentInput struct {
	Year     string            `json:"year"`
	Answers  map[string]string `json:"answers"`
	Evidence map[string]string `json:"evidence"`
}

// Assess scores and records the agency's 3P self-assessment and returns
// it.
func (s *Service) Assess(ctx context.Context, p access.Principal, in AssessmentInput) (Assessment, error) {
	if err := decide(access.ManageLocalGov, p); err != nil {
		return Assessment{}, err
	}
	y, err := number("year", in.Year, 9999, true)
	if err != nil {
		return Assessment{}, err
	}
	if err := threep.CheckYear(int(y)); err != nil {
		return Assessment{}, err
	}
	answers := map[string]threep.Answer{}
	for k, v := range in.Answers {
		answers[k] = threep.Answer(v)
	}
	res, err := threep.Score(answers)
	if err != nil {
		return Assessment{}, err
	}
	evidence := map[string]string{}
	for k, v := range in.Evidence {
		if !InList("pillar", k) {
			return Assessment{}, refuse("evidence", "code")
		}
		t, err := text("evidence_"+k, v, 2000, false)
		if err != nil {
			return Assessment{}, err
		}
		if t != "" {
			evidence[k] = t
		}
	}
	doc, _ := json.Marshal(storedAnswers{Answers: answers, Evidence: evidence})
	row := store.ThreePAssessment{ID: store.NewID(), AgencyID: p.AgencyID, Year: int(y), Answers: string(doc), Prevention: res.Scores[threep.Prevention],
		Protection: res.Scores[threep.Protection], Prosecution: res.Scores[threep.Prosecution], Total: res.Total, CreatedBy: p.UserID}
	ev := event(p, "threep.assess", "threep_assessment", row.ID, map[string]string{"year": strconv.Itoa(row.Year),
		"prevention": strconv.Itoa(row.Prevention), "protection": strconv.Itoa(row.Protection), "prosecution": strconv.Itoa(row.Prosecution),
		"total": strconv.Itoa(row.Total)})
	err = s.write(ctx, ev, func(tx *store.Tx, now int64) error {
		row.CreatedAt = now
		return tx.InsertThreePAssessment(ctx, row)
	})
	if err != nil {
		return Assessment{}, err
	}
	return assessmentOf(row)
}
