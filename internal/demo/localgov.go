package demo

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strconv"
	"time"

	"github.com/haven-nrm/haven/internal/access"
	"github.com/haven-nrm/haven/internal/audit"
	"github.com/haven-nrm/haven/internal/localgov"
	"github.com/haven-nrm/haven/internal/store"
	"github.com/haven-nrm/haven/internal/threep"
)

// cityYear is what the demo gives each local government: its profile and
// the shape of its year.
type cityYear struct {
	population      int64
	vulnerabilities []string
	flows           []string
	office          string
	committee       string
	// weak lists the recommendations the city does not yet meet ("no");
	// partly those it meets in part.
	weak, partly []string
	campaigns    []string
	trainings    [][2]string // title, sector
	programmes   [][2]string // title, programme type
	partners     [][2]string // parties, partner type
}

// cityYears follow the seed's case studies (Pokhara, Ulaanbaatar,
// Kanchanaburi) and CIFAL Jeju, in Haven's own words.
var cityYears = []cityYear{
	{518452, []string{"child_labour", "poverty", "school_dropout"}, []string{"rural_urban", "outbound_labour"}, "Women and Children Section",
		"Municipal Child Protection Committee", []string{"prosecution.institutions", "protection.residence"}, []string{"protection.work_permits", "cooperation.governments"},
		[]string{"Ward-by-ward outreach on child labour", "Safe foreign employment radio series", "Tourism workers' pledge week"},
		[][2]string{{"Identifying child labour in workshops", "labour_inspection"}, {"Victim-centred interviews", "police"}, {"Spotting exploitation in hotels", "private_sector"}},
		[][2]string{{"Literacy classes for working children", "education"}, {"Birth registration camps", "birth_registration"}},
		[][2]string{{"City and a child-rights NGO", "ngo"}, {"City and the chamber of commerce", "business"}}},
	{1600000, []string{"poverty", "gender_violence"}, []string{"rural_urban", "outbound_labour", "cross_border"}, "Social Welfare Department",
		"City Anti-Trafficking Sub-Council", []string{"protection.work_permits", "prevention.assessment", "protection.interpretation"}, []string{"prosecution.dignity", "prevention.mdt"},
		[]string{"Know your rights before working abroad", "Karaoke and hotel staff awareness"},
		[][2]string{{"Trauma-informed policing", "police"}, {"Health staff: signs of trafficking", "health"}},
		[][2]string{{"Job placement for young women", "employment"}, {"Vocational training for returnees", "vocational"}},
		[][2]string{{"City and a women's shelter NGO", "ngo"}, {"City and an international organisation", "international_org"}}},
	{895000, []string{"statelessness", "border_area", "child_labour"}, []string{"cross_border", "inbound_labour"}, "Provincial Social Development Office",
		"Provincial Anti-Trafficking Committee", []string{"protection.residence"}, []string{"prevention.definition", "cooperation.private_sector"},
		[]string{"Migrant workers' rights in four languages", "Border market information days", "School talks on safe migration"},
		[][2]string{{"Multidisciplinary team identification", "police"}, {"Labour inspection of plantations", "labour_inspection"}, {"Teachers: child protection", "education"}},
		[][2]string{{"Nationality and birth registration help", "birth_registration"}, {"Keep children in school", "education"}},
		[][2]string{{"Province and a migrant-rights NGO", "ngo"}, {"Province and a neighbouring district", "city"}, {"Province and plantation owners", "business"}}},
	{697000, []string{"gender_violence"}, []string{"inbound_labour", "cross_border"}, "Women and Family Policy Division",
		"Island Human Rights Committee", []string{"protection.work_permits"}, []string{"prevention.education_employment"},
		[]string{"Fishing crew welfare campaign", "Marriage migrants' support line"},
		[][2]string{{"Port police: forced labour at sea", "police"}, {"Transport staff awareness", "transport"}},
		[][2]string{{"Korean classes for marriage migrants", "education"}},
		[][2]string{{"Province and CIFAL Jeju", "international_org"}, {"Province and a sister city", "city"}}},
}

// LocalGovernments gives each place's local government a year of
// prevention, partnership and plan data, a 3P self-assessment and a
// published CityShare profile, through the local-government service (so
// every record is checked and audited as a real one). Each city's records
// are made by a synthetic officer of its own; the first place's is the
// demo officer who signs in.
func LocalGovernments(ctx context.Context, db *store.DB, rng *rand.Rand, now time.Time, agencies []map[string]string, officerID string) error {
	svc := localgov.New(localgov.Options{DB: db, Now: func() time.Time { return now }, Instance: "demo.haven"})
	officers := []string{officerID}
	err := db.Write(ctx, func(tx *store.Tx) error {
		for i := 1; i < len(places); i++ {
			id := store.NewID()
			u := store.User{ID: id, Username: "demo.local_government_officer." + places[i].code, DisplayName: "Demo local government officer, " +
				places[i].short + " (synthetic)", PasswordHash: "!", Role: string(access.LocalGovOfficer), AgencyID: agencies[i]["local_government"],
				Disabled: true, Synthetic: true, CreatedAt: store.Millis(now), UpdatedAt: store.Millis(now)}
			if err := tx.InsertUser(ctx, u); err != nil {
				return err
			}
			officers = append(officers, id)
		}
		return tx.Audit(ctx, audit.Event{Action: "demo.generate", Reason: "synthetic", Details: map[string]string{"local_governments": strconv.Itoa(len(places))}})
	})
	if err != nil {
		return err
	}
	day := func(daysAgo int) string { return now.AddDate(0, 0, -daysAgo).Format(time.DateOnly) }
	for i, c := range cityYears {
		p := access.Principal{UserID: officers[i], Role: access.LocalGovOfficer, AgencyID: agencies[i]["local_government"], JurisdictionID: agencies[i]["_jurisdiction"]}
		if err := svc.SaveProfile(ctx, p, localgov.ProfileInput{City: places[i].short, Jurisdiction: places[i].name, Population: strconv.FormatInt(c.population, 10),
			Vulnerabilities: c.vulnerabilities, Flows: c.flows, FocalOffice: c.office, Committee: c.committee}); err != nil {
			return fmt.Errorf("demo profile %s: %w", places[i].short, err)
		}
		add := func(in localgov.RecordInput) error {
			_, err := svc.AddRecord(ctx, p, in)
			return err
		}
		for k, title := range c.campaigns {
			start := 30 + k*110 + rng.IntN(20)
			if err := add(localgov.RecordInput{Kind: localgov.KindCampaign, Title: title, Category: localgov.Lists["audience"][rng.IntN(5)],
				StartedOn: day(start), EndedOn: day(start - 7), Reach: strconv.Itoa(2000 + rng.IntN(20000)), Cost: strconv.Itoa(500 + rng.IntN(5000)),
				Languages: []string{"en"}, Channels: []string{"radio", "posters"}}); err != nil {
				return err
			}
		}
		for k, tr := range c.trainings {
			pre := 35 + rng.IntN(20)
			if err := add(localgov.RecordInput{Kind: localgov.KindTraining, Title: tr[0], Category: tr[1], StartedOn: day(60 + k*90),
				Reach: strconv.Itoa(12 + rng.IntN(30)), Cost: strconv.Itoa(800 + rng.IntN(2000)), Topics: []string{"identification", "referral"},
				PreScore: strconv.Itoa(pre), PostScore: strconv.Itoa(pre + 15 + rng.IntN(25))}); err != nil {
				return err
			}
		}
		for k, pr := range c.programmes {
			if err := add(localgov.RecordInput{Kind: localgov.KindProgramme, Title: pr[0], Category: pr[1], StartedOn: day(300 - k*100),
				Reach: strconv.Itoa(40 + rng.IntN(300)), Cost: strconv.Itoa(3000 + rng.IntN(9000))}); err != nil {
				return err
			}
		}
		if err := add(localgov.RecordInput{Kind: localgov.KindAssessment, Title: "Needs assessment of vulnerable wards", Category: "needs_assessment",
			StartedOn: day(340), EndedOn: day(310), Reach: strconv.Itoa(100 + rng.IntN(200)), Findings: "Outreach misses out-of-school children and new arrivals."}); err != nil {
			return err
		}
		for k, pa := range c.partners {
			if err := add(localgov.RecordInput{Kind: localgov.KindPartnership, Title: "Memorandum of understanding " + strconv.Itoa(k+1), Category: pa[1],
				StartedOn: day(360 - k*60), Parties: pa[0], Scopes: []string{"referral", "training"}, RenewOn: now.AddDate(1, 0, 0).Format(time.DateOnly), Status: "active"}); err != nil {
				return err
			}
		}
		answers := map[string]string{}
		for _, q := range threep.Questions {
			answers[q.Code] = string(threep.Yes)
		}
		for _, w := range c.weak {
			answers[w] = string(threep.No)
		}
		for _, w := range c.partly {
			answers[w] = string(threep.Partly)
		}
		if _, err := svc.Assess(ctx, p, localgov.AssessmentInput{Year: strconv.Itoa(now.Year()), Answers: answers,
			Evidence: map[string]string{"prevention": "Council decision and campaign reports"}}); err != nil {
			return err
		}
		// The plan: one activity per weak recommendation, a training
		// target, a partnership target; the first done, one overdue.
		type act struct {
			pillar, objective, title, owner, indicator, rec string
			deadline                                        int // days from now (negative: past)
			baseline, target, reached                       int64
		}
		acts := []act{
			{"prevention", "Train local actors", "Train frontline officers to identify victims", "Training unit", "LG-02", "prevention.training", -20, 0, 60, 72},
			{"partnership", "Referral network", "Sign a referral agreement with one more NGO", "Mayor's office", "LG-05", "cooperation.ngos", -10, 1, 3, 2},
			{"prevention", "Reach vulnerable families", "Door-to-door awareness in the poorest wards", "Ward offices", "LG-01", "protection.awareness", 120, 0, 30, 12},
		}
		for _, w := range c.weak {
			q, _ := threep.QuestionOf(w)
			acts = append(acts, act{string(q.Pillar), "Meet the UNITAR recommendation", "Close the gap: " + w, "Anti-trafficking committee", "LG-07", w, 200, 0, 1, 0})
		}
		for _, a := range acts {
			id, err := svc.AddItem(ctx, p, localgov.ItemInput{Pillar: a.pillar, Objective: a.objective, Title: a.title, Owner: a.owner,
				Budget: strconv.Itoa(1000 + rng.IntN(9000)), Deadline: now.AddDate(0, 0, a.deadline).Format(time.DateOnly), Indicator: a.indicator,
				Baseline: strconv.FormatInt(a.baseline, 10), Target: strconv.FormatInt(a.target, 10), Recommendation: a.rec})
			if err != nil {
				return err
			}
			if a.reached > a.baseline {
				if err := svc.RecordProgress(ctx, p, id, localgov.ProgressInput{Version: "1", Value: strconv.FormatInt(a.reached, 10),
					Evidence: "Attendance sheets and signed minutes", RecordedOn: day(30)}); err != nil {
					return err
				}
			}
			// The first city invites the demo shelter's staff to report on
			// its door-to-door awareness: sign in as demo.shelter_staff to
			// see /localgov/contributions.
			if i == 0 && a.indicator == "LG-01" {
				if err := svc.InvitePartner(ctx, p, id, localgov.PartnerInput{Username: "demo." + string(access.ShelterStaff)}); err != nil {
					return fmt.Errorf("demo partner: %w", err)
				}
			}
		}
		if err := svc.AddReview(ctx, p, localgov.ReviewInput{ReviewedOn: day(90), Summary: "Quarterly review: trainings on track, one agreement late."}); err != nil {
			return err
		}
		if _, err := svc.Publish(ctx, p); err != nil {
			return err
		}
	}
	_, err = svc.RaiseOverdue(ctx, now)
	return err
}
