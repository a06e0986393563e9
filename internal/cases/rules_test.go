package cases_test

import (
	"strconv"
	"testing"
	"time"

	"github.com/haven-nrm/haven/internal/access"
	"github.com/haven-nrm/haven/internal/admin"
	"github.com/haven-nrm/haven/internal/cases"
	"github.com/haven-nrm/haven/internal/casework"
	"github.com/haven-nrm/haven/internal/store"
)

// TestDeadlinesKeepTheCalendarTheyStartedWith: a case opened while its
// jurisdiction's calendar was version N keeps counting with version N —
// the case's rules (which a reconsideration's new deadline and a
// guardian's deadline count with) skip version 1's holiday and not a
// holiday added later — while the queue's "soon" counts with the newest
// version; the jurisdiction's decision settings apply to both (issue 12:
// "deadlines already running keep the calendar they started with").
func TestDeadlinesKeepTheCalendarTheyStartedWith(t *testing.T) {
	eachWorld(t, false, func(t *testing.T, w *world) {
		ctx := t.Context()
		fr := w.users["demo.first_responder"]
		j, err := w.db.Jurisdiction(ctx, fr.JurisdictionID)
		if err != nil {
			t.Fatal(err)
		}
		// The demo's jurisdictions start with version 1, Haven's sample;
		// the first case counts with it.
		older := w.dossier()
		cv, ok, err := store.CalendarByID(ctx, w.db.R(), older.Record.CalendarVersion)
		if err != nil || !ok {
			t.Fatalf("the demo's case names calendar %q: %v", older.Record.CalendarVersion, err)
		}
		v0 := cv.Version
		if older.Calendar.ID != cv.ID || older.Calendar.Version != v0 {
			t.Fatalf("the demo's case names calendar %+v", older.Calendar)
		}
		base := older.Country.Calendar
		adm, err := admin.New(w.db, time.Now, nil)
		if err != nil {
			t.Fatal(err)
		}
		now := time.Now()
		d1 := casework.AddWorkingDays(now, 1, base).In(base.Location())
		d2 := casework.AddWorkingDays(now, 2, base).In(base.Location())
		v1, err := adm.AddHoliday(ctx, admin.Shell, j.Code, admin.HolidayInput{Date: d1.Format(time.DateOnly), Name: "First", Version: itoa(v0)})
		if err != nil {
			t.Fatal(err)
		}
		w2 := newCase(t, w)
		d := w2.dossier()
		if d.Record.CalendarVersion != v1.ID || d.Calendar.Version != v1.Version || d.Calendar.Jurisdiction != j.Code || d.Calendar.Verified || v1.Version != v0+1 {
			t.Fatalf("new case: record calendar %q, shown %+v, want version %d", d.Record.CalendarVersion, d.Calendar, v1.Version)
		}
		// Version 2 adds a holiday on d2 and the jurisdiction now counts
		// 3 working days.
		if _, err := adm.AddHoliday(ctx, admin.Shell, j.Code, admin.HolidayInput{Date: d2.Format(time.DateOnly), Name: "Second", Version: itoa(v1.Version)}); err != nil {
			t.Fatal(err)
		}
		in, err := adm.EditJurisdiction(ctx, admin.Shell, j.Code)
		if err != nil {
			t.Fatal(err)
		}
		in.RGWorkingDays = "3"
		if _, err := adm.UpdateJurisdiction(ctx, admin.Shell, j.Code, in); err != nil {
			t.Fatal(err)
		}
		svc, err := cases.New(w.db, w.svc.Keys, time.Now) // nothing cached
		if err != nil {
			t.Fatal(err)
		}
		w2.svc = svc
		d = w2.dossier()
		if d.Country.CalendarVersion != v1.ID || casework.IsWorkingDay(d1, d.Country.Calendar) || !casework.IsWorkingDay(d2, d.Country.Calendar) {
			t.Errorf("the running deadline's rules count with version %q: d1 working %v, d2 working %v; want version 1 (%q)",
				d.Country.CalendarVersion, casework.IsWorkingDay(d1, d.Country.Calendar), casework.IsWorkingDay(d2, d.Country.Calendar), v1.ID)
		}
		if d.Country.RGTargetWorkingDays != 3 {
			t.Errorf("the jurisdiction's setting: %d working days, want 3", d.Country.RGTargetWorkingDays)
		}
		// A reconsideration's new reasonable-grounds deadline counts so.
		if got, want := d.Country.RGDeadline(now), casework.AddWorkingDays(now, 3, d.Country.Calendar); !got.Equal(want) {
			t.Errorf("deadline %v, want %v", got, want)
		}
		// The case opened before keeps its version.
		if d := w.dossier(); d.Calendar.Version != v0 || !casework.IsWorkingDay(d1, d.Country.Calendar) {
			t.Errorf("the older case's calendar changed: %+v", d.Calendar)
		}
		// The queue's "soon" is the end of the next working day by the
		// newest calendar: d1 and d2 are holidays.
		ca := w.users["demo.competent_authority"]
		q, err := svc.Queue(ctx, access.Principal{UserID: ca.ID, Role: access.CompetentAuthority, AgencyID: ca.AgencyID, JurisdictionID: ca.JurisdictionID}, cases.QueueQuery{})
		if err != nil {
			t.Fatal(err)
		}
		if err := q.Viewed(); err != nil {
			t.Fatal(err)
		}
		d3 := casework.AddWorkingDays(now, 3, base)
		if !q.Soon.Equal(d3) {
			t.Errorf("queue's soon %v, want the end of %v", q.Soon, d3)
		}
	})
}

// newCase refers another adult in w's jurisdiction and returns a world on it.
func newCase(t *testing.T, w *world) *world {
	t.Helper()
	w2 := *w
	w2.caseID = refer(t, w, false)
	return &w2
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
