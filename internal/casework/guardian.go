package casework

import "time"

// A child identified as a presumed victim gets a guardian, appointed as
// soon as the child is identified:
//
//   - UN Convention on the Rights of the Child, art. 3 (the child's best
//     interests are a primary consideration in every action concerning
//     children) and art. 20 (a child deprived of a family environment is
//     entitled to special protection and assistance from the State);
//   - Directive 2011/36/EU, art. 14(2) (a guardian or representative is
//     appointed from the moment the child is identified, where those with
//     parental responsibility cannot act in the child's interest), art. 15
//     (a representative in criminal investigations and proceedings) and
//     art. 16(3) (a guardian for an unaccompanied child victim);
//   - Council of Europe Convention on Action against Trafficking in Human
//     Beings, art. 10(4): "as soon as" an unaccompanied child is identified
//     as a victim, the child is represented by a legal guardian,
//     organisation or authority acting in the child's best interests.
//
// Haven's domain reference (§3) says for a child the local authority is
// notified and the referral goes ahead, and (OSCE) that an NRM works in
// the best interests of the child; the articles above are quoted as they
// are commonly summarised and are to be checked against the texts.
// Haven asks for the appointment of every referred child, accompanied or
// not: whether the family can act for the child is for the
// child-protection office to judge, not for the referral.

// GuardianTargetWorkingDays is when the appointment task falls due: "as
// soon as" (CoE art. 10(4)) made a deadline a person can be held to, the
// end of the first working day after the child was identified.
const GuardianTargetWorkingDays = 1

// GuardianRequired reports whether a person needs a guardian appointed: a
// child (under 18, UN Trafficking Protocol art. 3(d), or presumed one
// while the age is uncertain).
func GuardianRequired(child bool) bool { return child }

// GuardianDue is the deadline of the appointment of a guardian for a child
// identified at identifiedAt: the end of the first working day after it
// in the country's calendar.
func GuardianDue(identifiedAt time.Time, cfg Country) time.Time {
	return AddWorkingDays(identifiedAt, GuardianTargetWorkingDays, cfg.Calendar)
}

// GuardianStatus is where the appointment of a guardian stands.
type GuardianStatus string

// Guardian statuses.
const (
	GuardianNotRequired GuardianStatus = "not_required"
	GuardianPending     GuardianStatus = "pending"
	GuardianOverdue     GuardianStatus = "overdue"
	GuardianAppointed   GuardianStatus = "appointed"
)

// GuardianStatuses lists them.
func GuardianStatuses() []GuardianStatus {
	return []GuardianStatus{GuardianNotRequired, GuardianPending, GuardianOverdue, GuardianAppointed}
}

// GuardianState says where the appointment stands at now, for a child
// whose appointment was due at due (zero when no deadline was set).
func GuardianState(child, appointed bool, due, now time.Time) GuardianStatus {
	switch {
	case !GuardianRequired(child):
		return GuardianNotRequired
	case appointed:
		return GuardianAppointed
	case !due.IsZero() && now.After(due):
		return GuardianOverdue
	}
	return GuardianPending
}

// Appointment is a guardian's appointment as recorded: who appointed them
// (an agency), on which day, recorded by whom and when. The guardian's
// name and contact are identifying and are checked and sealed by the
// caller, never held here.
type Appointment struct {
	Agency      string
	AppointedOn time.Time
	By          string
	At          time.Time
}

// CheckAppointment refuses an appointment for a person who is not a
// child (CodeNotChild), without an agency or a user (CodeInvalidInput,
// CodeActorRequired), or on a day after the day it is recorded
// (CodeInvalidInput).
func CheckAppointment(a Appointment, child bool) error {
	r := Record{}
	switch {
	case !GuardianRequired(child):
		return refuse(CodeNotChild, r, "guardian")
	case a.By == "":
		return refuse(CodeActorRequired, r, "")
	case a.Agency == "" || a.AppointedOn.IsZero() || a.At.IsZero():
		return refuse(CodeInvalidInput, r, "agency and day required")
	case a.AppointedOn.After(a.At):
		return refuse(CodeFutureDate, r, "appointed after it was recorded")
	}
	return nil
}
