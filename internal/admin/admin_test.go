package admin_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/haven-nrm/haven/internal/access"
	"github.com/haven-nrm/haven/internal/accounts"
	"github.com/haven-nrm/haven/internal/admin"
	"github.com/haven-nrm/haven/internal/auth"
	"github.com/haven-nrm/haven/internal/errs"
	"github.com/haven-nrm/haven/internal/notify"
	"github.com/haven-nrm/haven/internal/seal"
	"github.com/haven-nrm/haven/internal/store"
	"github.com/haven-nrm/haven/internal/testenv"
)

func noMail() *notify.Mailer { return notify.NewMailer(notify.Config{}) }

func newService(t *testing.T, db *store.DB) *admin.Service {
	t.Helper()
	s, err := admin.New(db, time.Now, nil)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func principal(u store.User, jurisdictionID string) access.Principal {
	return access.Principal{UserID: u.ID, Role: access.Role(u.Role), AgencyID: u.AgencyID, JurisdictionID: jurisdictionID}
}

// TestInitMakesTheFirstAdministratorWithoutPassword: `haven init` on an
// empty instance makes the country, the administration's agency and one
// system administrator with no password, whose one-time link is the only
// way in (issue 12, "First run"); a second init is refused and writes
// nothing.
func TestInitMakesTheFirstAdministratorWithoutPassword(t *testing.T) {
	testenv.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s := newService(t, db)
		if c, err := db.Counts(ctx); err != nil || c.Users != 0 {
			t.Fatalf("a fresh database has %d accounts (%v)", c.Users, err)
		}
		for name, in := range map[string]admin.InitInput{
			"unknown country": {Country: "XX", TimeZone: "UTC", Username: "root", DisplayName: "Root"},
			"bad zone":        {Country: "NP", TimeZone: "Asia/Nowhere", Username: "root", DisplayName: "Root"},
			"local zone":      {Country: "NP", TimeZone: "Local", Username: "root", DisplayName: "Root"},
			"bad username":    {Country: "NP", TimeZone: "Asia/Kathmandu", Username: "Root Admin", DisplayName: "Root"},
			"no name":         {Country: "NP", TimeZone: "Asia/Kathmandu", Username: "root", DisplayName: " "},
		} {
			if _, _, err := s.Init(ctx, in, noMail(), time.Hour); !errs.Is(err, errs.Invalid) {
				t.Errorf("%s: %v, want invalid", name, err)
			}
		}
		if c, _ := db.Counts(ctx); c.Jurisdictions+c.Agencies+c.Users != 0 {
			t.Fatalf("refused inits wrote %+v", c)
		}
		_, seq := testenv.AuditActionsAfter(t, db, 0)
		_, link, err := s.Init(ctx, admin.InitInput{Country: "NP", TimeZone: "Asia/Kathmandu", Name: "Nepal", Username: "root", DisplayName: "First Admin"},
			noMail(), time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		got, seq := testenv.AuditActionsAfter(t, db, seq)
		if want := []string{"jurisdiction.create", "agency.create", "user.create", "user.enrol_link"}; !slices.Equal(got, want) {
			t.Errorf("init events %v, want %v", got, want)
		}
		stored, err := db.UserByUsername(ctx, "root")
		if err != nil || stored.PasswordHash != "" || stored.Role != string(access.SystemAdmin) || link.Delivery != accounts.DeliveryShown {
			t.Fatalf("first administrator %+v (%v), link %+v: want a system_admin without password, link shown", stored, err, link)
		}
		if c, _ := db.Counts(ctx); c.Users != 1 {
			t.Errorf("%d accounts after init; want the one administrator", c.Users)
		}
		if _, _, err := s.Init(ctx, admin.InitInput{Country: "KR", TimeZone: "Asia/Seoul", Username: "root2", DisplayName: "Other"}, noMail(), time.Hour); !errs.Is(err, errs.Conflict) {
			t.Errorf("second init: %v, want conflict", err)
		}
		if got, _ := testenv.AuditActionsAfter(t, db, seq); len(got) != 0 {
			t.Errorf("second init wrote events %v", got)
		}

		// The account cannot sign in before the link is used: no
		// password works, not even the empty one.
		keys, err := seal.NewKeyring()
		if err != nil {
			t.Fatal(err)
		}
		acc := accounts.NewService(db, keys, time.Now, nil, func(access.Role) bool { return true })
		c := accounts.Client{Address: "192.0.2.1"}
		for _, pw := range []string{"", "x"} {
			if res, err := acc.SignIn(ctx, c, "root", pw); err != nil || res.Outcome != accounts.SignInFailed {
				t.Errorf("sign-in with %q before the link: %+v %v", pw, res, err)
			}
		}
		// The link page asks for a new password; the policy applies and a
		// refusal spends nothing.
		if set, err := acc.LinkSetsPassword(ctx, link.Token); err != nil || !set {
			t.Fatalf("LinkSetsPassword = %v, %v", set, err)
		}
		if _, err := acc.SetPasswordByLink(ctx, c, link.Token, "short", "short", nil); !errs.Is(err, errs.Invalid) {
			t.Errorf("short password: %v", err)
		}
		pw := auth.NewToken()[:20]
		if _, err := acc.SetPasswordByLink(ctx, c, link.Token, pw, pw+"x", nil); !errs.Is(err, errs.Invalid) {
			t.Errorf("mismatched confirmation: %v", err)
		}
		sess, err := acc.SetPasswordByLink(ctx, c, link.Token, pw, pw, nil)
		if err != nil || sess == "" {
			t.Fatalf("set password by link: %q %v", sess, err)
		}
		// Spent: the link works once.
		if _, err := acc.SetPasswordByLink(ctx, c, link.Token, pw, pw, nil); !errs.Is(err, errs.NotFound) {
			t.Errorf("second use of the link: %v", err)
		}
		// The password alone does not sign in a system administrator
		// without a second factor: the set-up must be finished.
		if res, err := acc.SignIn(ctx, c, "root", pw); err != nil || res.Outcome != accounts.SignInNeedsLink {
			t.Errorf("sign-in with password before second factor: %+v %v", res, err)
		}
	})
}

// fixture is an instance after init with two agencies and their
// administrators.
type fixture struct {
	s                *admin.Service
	db               *store.DB
	root             access.Principal
	agencyA, agencyB admin.Agency
	adminA           access.Principal
	jurisdictionID   string
}

func setUp(t *testing.T, db *store.DB) fixture {
	t.Helper()
	ctx := context.Background()
	s := newService(t, db)
	u, _, err := s.Init(ctx, admin.InitInput{Country: "NP", TimeZone: "Asia/Kathmandu", Username: "root", DisplayName: "Root"}, noMail(), time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	j, err := db.JurisdictionByCode(ctx, "NP")
	if err != nil {
		t.Fatal(err)
	}
	f := fixture{s: s, db: db, root: principal(u, j.ID), jurisdictionID: j.ID}
	by := admin.By{Principal: f.root}
	if f.agencyA, err = s.AddAgency(ctx, by, admin.AgencyInput{Jurisdiction: "NP", Kind: "police", Name: "Police Unit", Designations: []string{"police"}}); err != nil {
		t.Fatal(err)
	}
	if f.agencyB, err = s.AddAgency(ctx, by, admin.AgencyInput{Jurisdiction: "NP", Kind: "local_government", Name: "Child Protection Office",
		Names: map[string]string{"ne": "बाल संरक्षण कार्यालय"}, Designations: []string{"child_protection"}}); err != nil {
		t.Fatal(err)
	}
	ua, _, err := s.Invite(ctx, by, admin.InviteInput{Username: "admin.a", DisplayName: "Admin A", Role: "agency_admin", AgencyID: f.agencyA.ID}, noMail(), time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	ua.JurisdictionID = j.ID
	f.adminA = principal(ua, j.ID)
	return f
}

// TestJurisdictionsAndAgencies: only a system administrator adds and
// changes them; each change is audited; bad input is refused on its field
// with nothing written; a stale version is a conflict.
func TestJurisdictionsAndAgencies(t *testing.T) {
	testenv.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := setUp(t, db)
		root := admin.By{Principal: f.root}
		_, seq := testenv.AuditActionsAfter(t, db, 0)
		for _, bad := range []admin.JurisdictionInput{
			{Code: "NP-P4", Country: "NP", TimeZone: "Mars/Olympus"},
			{Code: "KR-1", Country: "NP", TimeZone: "Asia/Kathmandu"},
			{Code: "NP-P4", Country: "NP", TimeZone: "Asia/Kathmandu", Parent: "KR"},
			{Code: "NP-P4", Country: "NP", TimeZone: "Asia/Kathmandu", RecoveryMinDays: "29"}, // CoE Convention art. 13: at least 30
			{Code: "NP-P4", Country: "NP", TimeZone: "Asia/Kathmandu", RGWorkingDays: "0"},
			{Code: "NP-P4", Country: "NP", TimeZone: "Asia/Kathmandu", LegalProfile: "ZZ"},
			{Code: "NP-P4", Country: "NP", TimeZone: "Asia/Kathmandu", Name: "a\nb"},
			{Code: "NP", Country: "NP", TimeZone: "Asia/Kathmandu"}, // taken
		} {
			if _, err := f.s.AddJurisdiction(ctx, root, bad); !errs.Is(err, errs.Invalid) {
				t.Errorf("AddJurisdiction(%+v): %v, want invalid", bad, err)
			}
		}
		if got, _ := testenv.AuditActionsAfter(t, db, seq); len(got) != 0 {
			t.Fatalf("refusals wrote %v", got)
		}
		// Not a system administrator: refused.
		if _, err := f.s.AddJurisdiction(ctx, admin.By{Principal: f.adminA}, admin.JurisdictionInput{Code: "NP-P4", Country: "NP", TimeZone: "Asia/Kathmandu"}); !errs.Is(err, errs.Forbidden) {
			t.Errorf("agency admin adds a jurisdiction: %v", err)
		}
		if _, err := f.s.AddAgency(ctx, admin.By{Principal: f.adminA}, admin.AgencyInput{Jurisdiction: "NP", Kind: "ngo", Name: "X"}); !errs.Is(err, errs.Forbidden) {
			t.Errorf("agency admin adds an agency: %v", err)
		}
		j, err := f.s.AddJurisdiction(ctx, root, admin.JurisdictionInput{Code: "np-p4", Country: "np", Name: "Gandaki", Parent: "NP",
			TimeZone: "Asia/Kathmandu", LegalProfile: "NP", Languages: "ne, en", RGWorkingDays: "7", NegativeRGReview: "no"})
		if err != nil {
			t.Fatal(err)
		}
		if j.Code != "NP-P4" || j.Languages != "ne,en" || j.RGWorkingDays != 7 || j.NegativeRGReview != 0 || j.ParentID != f.jurisdictionID {
			t.Errorf("added %+v", j)
		}
		in, err := f.s.EditJurisdiction(ctx, root, "NP-P4")
		if err != nil || in.Parent != "NP" || in.RGWorkingDays != "7" || in.NegativeRGReview != "no" {
			t.Fatalf("EditJurisdiction = %+v, %v", in, err)
		}
		in.TimeZone = "Asia/Kolkata"
		if _, err := f.s.UpdateJurisdiction(ctx, root, "NP-P4", in); err != nil {
			t.Fatal(err)
		}
		// The same form again: its version is stale.
		if _, err := f.s.UpdateJurisdiction(ctx, root, "NP-P4", in); !errs.Is(err, errs.Conflict) {
			t.Errorf("stale update: %v", err)
		}
		a, err := f.s.UpdateAgency(ctx, root, f.agencyA.ID, admin.AgencyInput{Active: "no"})
		if err != nil || a.Active || a.Name != "Police Unit" || a.Designations != "police" {
			t.Errorf("deactivate: %+v %v", a, err)
		}
		for _, bad := range []admin.AgencyInput{{Designations: []string{"wizard"}}, {Kind: "bakery"}, {Names: map[string]string{"not a tag!": "x"}}, {Jurisdiction: "KR"}} {
			if _, err := f.s.UpdateAgency(ctx, root, f.agencyB.ID, bad); !errs.Is(err, errs.Invalid) {
				t.Errorf("UpdateAgency(%+v): %v, want invalid", bad, err)
			}
		}
		got, _ := testenv.AuditActionsAfter(t, db, seq)
		if want := []string{"jurisdiction.create", "jurisdiction.update", "agency.update"}; !slices.Equal(got, want) {
			t.Errorf("events %v, want %v", got, want)
		}
	})
}

// TestAgencyAdministratorKeepsOwnAgencyOnly: an agency administrator
// invites, changes the role of, disables, re-enables and resets the
// second factor of users of their own agency, and cannot touch another
// agency's users nor make administrators (issue 12, "Users").
func TestAgencyAdministratorKeepsOwnAgencyOnly(t *testing.T) {
	testenv.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := setUp(t, db)
		root, byA := admin.By{Principal: f.root}, admin.By{Principal: f.adminA}
		// Another agency's user, invited by the shell.
		other, _, err := f.s.Invite(ctx, admin.Shell, admin.InviteInput{Username: "cp.worker", DisplayName: "CP Worker", Role: "case_worker", AgencyID: f.agencyB.ID}, noMail(), time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		_, seq := testenv.AuditActionsAfter(t, db, 0)
		// Own agency: every action works and is audited.
		u, link, err := f.s.Invite(ctx, byA, admin.InviteInput{Username: "officer", DisplayName: "Officer", Role: "police_investigator"}, noMail(), time.Hour)
		if err != nil || u.AgencyID != f.agencyA.ID || link.Token == "" {
			t.Fatalf("invite in own agency: %+v %v", u, err)
		}
		if err := f.s.SetRole(ctx, byA, u.ID, "first_responder"); err != nil {
			t.Error(err)
		}
		if err := f.s.SetDisabled(ctx, byA, u.ID, true); err != nil {
			t.Error(err)
		}
		if err := f.s.SetDisabled(ctx, byA, u.ID, false); err != nil {
			t.Error(err)
		}
		if _, _, err := f.s.ResetSecondFactor(ctx, byA, u.ID, noMail(), time.Hour); err != nil {
			t.Error(err)
		}
		got, seq := testenv.AuditActionsAfter(t, db, seq)
		if want := []string{"user.create", "user.enrol_link", "user.role", "user.disable", "user.enable", "user.mfa_reset", "user.enrol_link"}; !slices.Equal(got, want) {
			t.Errorf("events %v, want %v", got, want)
		}
		// Another agency's user: as if it did not exist, for every action.
		if err := f.s.SetRole(ctx, byA, other.ID, "first_responder"); !errs.Is(err, errs.NotFound) {
			t.Errorf("role of another agency's user: %v", err)
		}
		if err := f.s.SetDisabled(ctx, byA, other.ID, true); !errs.Is(err, errs.NotFound) {
			t.Errorf("disable another agency's user: %v", err)
		}
		if _, _, err := f.s.ResetSecondFactor(ctx, byA, other.ID, noMail(), time.Hour); !errs.Is(err, errs.NotFound) {
			t.Errorf("reset another agency's user: %v", err)
		}
		if _, _, err := f.s.Invite(ctx, byA, admin.InviteInput{Username: "intruder", DisplayName: "I", Role: "case_worker", AgencyID: f.agencyB.ID}, noMail(), time.Hour); !errs.Is(err, errs.Forbidden) {
			t.Errorf("invite into another agency: %v", err)
		}
		// No administrators made or promoted by an agency administrator,
		// and no change to their own account.
		if _, _, err := f.s.Invite(ctx, byA, admin.InviteInput{Username: "admin.two", DisplayName: "A2", Role: "agency_admin"}, noMail(), time.Hour); !errs.Is(err, errs.Forbidden) {
			t.Errorf("agency admin invites an admin: %v", err)
		}
		if err := f.s.SetRole(ctx, byA, u.ID, "system_admin"); !errs.Is(err, errs.Forbidden) {
			t.Errorf("promote to system admin: %v", err)
		}
		if err := f.s.SetDisabled(ctx, byA, f.adminA.UserID, true); !errs.Is(err, errs.NotFound) {
			t.Errorf("agency admin disables themselves: %v", err)
		}
		if got, _ := testenv.AuditActionsAfter(t, db, seq); len(got) != 0 {
			t.Errorf("refusals wrote %v", got)
		}
		// The system administrator keeps the agency administrators, but
		// not the other users of an agency.
		if err := f.s.SetDisabled(ctx, root, f.adminA.UserID, true); err != nil {
			t.Errorf("system admin disables an agency admin: %v", err)
		}
		if err := f.s.SetDisabled(ctx, root, other.ID, true); !errs.Is(err, errs.NotFound) {
			t.Errorf("system admin disables a case worker: %v", err)
		}
		// A disabled administrator's principal still decides nothing new:
		// the service checks the role, the sessions ended with the account.
		if _, err := db.UserByID(ctx, f.adminA.UserID); err != nil {
			t.Fatal(err)
		}
	})
}
