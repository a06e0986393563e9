package cases

import (
	"context"
	"slices"
	"time"

	"github.com/haven-nrm/haven/internal/access"
	"github.com/haven-nrm/haven/internal/casework"
	"github.com/haven-nrm/haven/internal/store"
)

// ChildProtectionKind is the kind of agency that protects children in a
// jurisdiction: notified when a child is referred, it appoints the child's
// guardian.
const ChildProtectionKind = "local_government"

// TaskGuardian is the kind of the task that asks for a child's guardian;
// recording the appointment completes it.
const TaskGuardian = "guardian_appointment"

// Kinds of the sealed notes about an appointment (their object is the
// appointment's id followed by ":name" or ":contact").
const (
	NoteGuardianName    = "guardian_name"
	NoteGuardianContact = "guardian_contact"
)

// GuardianTaskOwner picks who owns the appointment task of a child
// referred in a jurisdiction: a person of its child-protection office who
// works with people, else one of the competent authority, else no one.
func GuardianTaskOwner(ctx context.Context, r store.Reader, childProtection, authority string) (string, error) {
	roles := []string{string(access.CaseWorker), string(access.CompetentAuthority)}
	for _, agency := range []string{childProtection, authority} {
		if agency == "" {
			continue
		}
		owner, err := store.TaskOwnerIn(ctx, r, agency, roles)
		if err != nil || owner != "" {
			return owner, err
		}
	}
	return "", nil
}

// childProtectionOffice reports whether agencyID is the child-protection
// office of a child's case.
func childProtectionOffice(ctx context.Context, r store.Reader, c store.Case, agencyID string) (bool, error) {
	if !c.Child || agencyID == "" || agencyID == c.AgencyID {
		return false, nil
	}
	return store.AgencyIs(ctx, r, agencyID, c.JurisdictionID, ChildProtectionKind)
}

// GuardianInput is the input of appointing a child's guardian.
type GuardianInput struct {
	GuardianName    string `field:"guardian_name"`
	GuardianAgency  string `field:"guardian_agency"`
	AppointedOn     string `field:"appointed_on"`
	GuardianContact string `field:"guardian_contact"`
}

// AppointGuardian records the appointment of a child's guardian: the
// appointing agency and day in clear, the guardian's name and contact
// sealed. It completes the appointment task and tells the case's owner.
func (s *Service) AppointGuardian(ctx context.Context, p access.Principal, d *Dossier, in GuardianInput) error {
	name, err := textOf(in.GuardianName, "guardian_name", true)
	if err != nil {
		return err
	}
	contact, err := textOf(in.GuardianContact, "guardian_contact", false)
	if err != nil {
		return err
	}
	agency, err := s.agencyField(ctx, in.GuardianAgency, "guardian_agency")
	if err != nil {
		return err
	}
	on, err := dateOf(in.AppointedOn, "appointed_on", d.Country.Calendar.Location(), true)
	if err != nil {
		return err
	}
	now := s.Now()
	if err := casework.CheckAppointment(casework.Appointment{Agency: agency, AppointedOn: on, By: p.UserID, At: now}, d.Case.Child); err != nil {
		if casework.CodeOf(err) == casework.CodeFutureDate {
			return badField("appointed_on")
		}
		return err
	}
	g := store.Guardian{ID: store.NewID(), CaseID: d.Case.ID, AgencyID: agency, AppointedOn: on.Format(time.DateOnly), CreatedBy: p.UserID}
	return s.write(ctx, p, func(c *change) error {
		g.CreatedAt = store.Millis(c.tx.Now)
		if err := c.tx.InsertGuardian(ctx, g); err != nil {
			return err
		}
		if err := c.audit("case.guardian_appointed", "case", d.Case.ID, map[string]string{"guardian": g.ID, "agency": agency}); err != nil {
			return err
		}
		if err := s.note(c, d.Case.ID, NoteGuardianName, g.ID+":name", name); err != nil {
			return err
		}
		if err := s.note(c, d.Case.ID, NoteGuardianContact, g.ID+":contact", contact); err != nil {
			return err
		}
		done, err := c.tx.CompleteTasksOfKind(ctx, d.Case.ID, TaskGuardian)
		if err != nil {
			return err
		}
		for _, id := range done {
			if err := c.audit("task.done", "case", d.Case.ID, map[string]string{"task": id, "by": "guardian_appointed"}); err != nil {
				return err
			}
		}
		return s.alert(c, d.Case.AgencyID, "guardian_appointed", d.Case.ID)
	})
}

// GuardianView is where a child's guardian stands, for the case page and
// the API: the status, the deadline, and the appointments (coded).
type GuardianView struct {
	Status       casework.GuardianStatus `json:"status"`
	Due          time.Time               `json:"due,omitzero"`
	Appointments []store.Guardian        `json:"appointments"`
}

// Guardian says where the appointment of the case's guardian stands at
// now: the deadline is the appointment task's.
func Guardian(d *Dossier, now time.Time) GuardianView {
	v := GuardianView{Appointments: d.Guardians}
	if v.Appointments == nil {
		v.Appointments = []store.Guardian{}
	}
	var due time.Time
	if i := slices.IndexFunc(d.Tasks, func(t store.Task) bool { return t.Kind == TaskGuardian }); i >= 0 {
		due = store.FromMillis(d.Tasks[i].DueAt)
	}
	v.Status = casework.GuardianState(d.Case.Child, len(d.Guardians) > 0, due, now)
	if v.Status == casework.GuardianPending || v.Status == casework.GuardianOverdue {
		v.Due = due
	}
	return v
}
