package casework

import (
	"testing"
	"time"
)

// Point 18 of issue 10: the child path completes with a guardian
// appointed as soon as the child is identified. Each rule names its
// source (see guardian.go).
func TestChildPathCompletesWithGuardian(t *testing.T) {
	cfg := country(t, DefaultCode) // UTC, Saturday and Sunday off
	friday := time.Date(2026, 3, 6, 19, 30, 0, 0, time.UTC)
	monday := time.Date(2026, 3, 9, 23, 59, 59, int(999*time.Millisecond), time.UTC)
	if got := GuardianDue(friday, cfg); !got.Equal(monday) {
		t.Errorf("CoE Convention art. 10(4) \"as soon as\": a child identified on a Friday evening has a guardian by the end of Monday, got %s", got)
	}
	due := GuardianDue(friday, cfg)
	states := []struct {
		rule           string
		child, appoint bool
		due, now       time.Time
		want           GuardianStatus
	}{
		{"UN Trafficking Protocol art. 3(d): an adult needs no guardian", false, false, due, due.Add(time.Hour), GuardianNotRequired},
		{"Directive 2011/36/EU art. 14(2): from the moment the child is identified a guardian is due", true, false, due, friday, GuardianPending},
		{"the whole last working day counts", true, false, due, due, GuardianPending},
		{"CoE art. 10(4): past the deadline the appointment is overdue", true, false, due, due.Add(time.Millisecond), GuardianOverdue},
		{"Directive 2011/36/EU art. 16(3): once appointed the child is represented", true, true, due, due.AddDate(0, 1, 0), GuardianAppointed},
		{"no deadline set (a case from before the rule): pending, never overdue", true, false, time.Time{}, due.AddDate(1, 0, 0), GuardianPending},
	}
	for _, s := range states {
		if got := GuardianState(s.child, s.appoint, s.due, s.now); got != s.want {
			t.Errorf("%s: %s, want %s", s.rule, got, s.want)
		}
	}
	ok := Appointment{Agency: "agency-1", AppointedOn: friday.Add(-time.Hour), By: clerk, At: friday}
	checks := []struct {
		rule  string
		a     Appointment
		child bool
		want  Code
	}{
		{"UN CRC art. 20, Directive art. 14(2): a child's guardian is recorded", ok, true, ""},
		{"the guardian is appointed for a child only (UN Trafficking Protocol art. 3(d))", ok, false, CodeNotChild},
		{"an appointment names the appointing agency", Appointment{AppointedOn: ok.AppointedOn, By: clerk, At: friday}, true, CodeInvalidInput},
		{"an appointment is recorded by someone", Appointment{Agency: "a", AppointedOn: ok.AppointedOn, At: friday}, true, CodeActorRequired},
		{"an appointment is not recorded ahead of the day it is made", Appointment{Agency: "a", AppointedOn: friday.AddDate(0, 0, 1), By: clerk, At: friday}, true, CodeFutureDate},
	}
	for _, c := range checks {
		err := CheckAppointment(c.a, c.child)
		if c.want == "" {
			if err != nil {
				t.Errorf("%s: refused: %v", c.rule, err)
			}
			continue
		}
		wantCode(t, c.rule, err, c.want)
	}
}
