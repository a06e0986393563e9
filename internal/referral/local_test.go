package referral

import (
	"context"
	"testing"
	"time"

	"github.com/haven-nrm/haven/internal/admin"
	"github.com/haven-nrm/haven/internal/casework"
	"github.com/haven-nrm/haven/internal/notify"
	"github.com/haven-nrm/haven/internal/store"
	"github.com/haven-nrm/haven/internal/testenv"
)

// TestLocalRulesUseTheJurisdictionsCalendarAndSettings: a new case counts
// its reasonable-grounds deadline with the jurisdiction's newest calendar
// (a holiday imported from an .ics file is skipped), in the
// jurisdiction's zone, with its own decision settings, and names the
// calendar version; a later import does not change the version a record
// opened with (issue 12, "Calendars as data").
func TestLocalRulesUseTheJurisdictionsCalendarAndSettings(t *testing.T) {
	testenv.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		adm, err := admin.New(db, time.Now, nil)
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := adm.Init(ctx, admin.InitInput{Country: "NP", TimeZone: "Asia/Kathmandu", Username: "root", DisplayName: "Root"},
			notify.NewMailer(notify.Config{}), time.Hour); err != nil {
			t.Fatal(err)
		}
		js, err := db.JurisdictionByCode(ctx, "NP")
		if err != nil {
			t.Fatal(err)
		}
		j := js.Jurisdiction
		s := &Service{DB: db}
		loc, _ := time.LoadLocation("Asia/Kathmandu")
		// Friday 1 January 2027, 10:00 in Kathmandu; Saturday is the rest
		// day. The profile's 5 working days end on Thursday 7 January.
		start := time.Date(2027, 1, 1, 10, 0, 0, 0, loc)
		endOf := func(d int) time.Time { return time.Date(2027, 1, d+1, 0, 0, 0, 0, loc).Add(-time.Millisecond) }
		cfg, err := s.localRules(ctx, db.R(), j)
		if err != nil {
			t.Fatal(err)
		}
		if got := cfg.RGDeadline(start); !got.Equal(endOf(7)) || cfg.CalendarVersion != "" {
			t.Fatalf("before any calendar: deadline %v (version %q), want %v", got.In(loc), cfg.CalendarVersion, endOf(7))
		}
		ics := "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nDTSTART;VALUE=DATE:20270104\r\nSUMMARY:Imported holiday\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
		v1, err := adm.ImportICS(ctx, admin.Shell, "NP", []byte(ics), "test")
		if err != nil {
			t.Fatal(err)
		}
		cfg, err = s.localRules(ctx, db.R(), j)
		if err != nil {
			t.Fatal(err)
		}
		if got := cfg.RGDeadline(start); !got.Equal(endOf(8)) || cfg.CalendarVersion != v1.ID {
			t.Errorf("with the imported holiday: deadline %v (version %q), want %v (version %q)", got.In(loc), cfg.CalendarVersion, endOf(8), v1.ID)
		}
		rec, _, err := casework.NewRecord("case-1", start, false, cfg)
		if err != nil || rec.CalendarVersion != v1.ID || !rec.RGDeadline.Equal(endOf(8)) {
			t.Fatalf("record %+v %v", rec, err)
		}
		// The jurisdiction's own decision settings win over the profile's.
		in, err := adm.EditJurisdiction(ctx, admin.Shell, "NP")
		if err != nil {
			t.Fatal(err)
		}
		in.RGWorkingDays, in.NegativeRGReview = "3", "no"
		if _, err := adm.UpdateJurisdiction(ctx, admin.Shell, "NP", in); err != nil {
			t.Fatal(err)
		}
		// A new calendar version, the sample: the record keeps its own.
		v2, err := adm.LoadSample(ctx, admin.Shell, "NP")
		if err != nil || v2.Version != 2 {
			t.Fatalf("sample: %+v %v", v2, err)
		}
		cfg, err = s.localRules(ctx, db.R(), j)
		if err != nil {
			t.Fatal(err)
		}
		// 3 working days from Friday 1 January: Sunday 3, Monday 4,
		// Tuesday 5 (the sample has no 4 January holiday).
		if got := cfg.RGDeadline(start); !got.Equal(endOf(5)) || cfg.CalendarVersion != v2.ID || cfg.NegativeRGReview {
			t.Errorf("after the sample and settings: deadline %v, version %q, review %v", got.In(loc), cfg.CalendarVersion, cfg.NegativeRGReview)
		}
		if rec.CalendarVersion != v1.ID {
			t.Error("the open record's calendar changed")
		}
		// A province that counts with its country's calendar.
		p, err := adm.AddJurisdiction(ctx, admin.Shell, admin.JurisdictionInput{Code: "NP-P4", Country: "NP", Parent: "NP", TimeZone: "Asia/Kathmandu", Calendar: "NP"})
		if err != nil {
			t.Fatal(err)
		}
		cfg, err = s.localRules(ctx, db.R(), p.Jurisdiction)
		if err != nil || cfg.CalendarVersion != v2.ID {
			t.Errorf("province with its country's calendar: version %q, want %q (%v)", cfg.CalendarVersion, v2.ID, err)
		}
	})
}
