// Package admin is the administration service: setting up a new instance
// (its first system administrator), the jurisdictions and agencies of the
// referral mechanism, and the accounts an administrator keeps — a system
// administrator the agency administrators', an agency administrator their
// own agency's. The web pages, the JSON API and the command line call the
// same methods, so a change writes the same audit events from each.
//
// Every method decides access with access.Decide for the acting
// principal (By); the server's shell (By.Shell) acts as the system, as
// `haven user` always has. Each change is written with its audit event in
// one transaction; a refusal writes nothing.
package admin

import (
	"context"
	"encoding/json"
	"errors"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	_ "time/tzdata" // zone names resolve on systems without a time-zone database
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/language"

	"github.com/haven-nrm/haven/internal/access"
	"github.com/haven-nrm/haven/internal/accounts"
	"github.com/haven-nrm/haven/internal/audit"
	"github.com/haven-nrm/haven/internal/casework"
	"github.com/haven-nrm/haven/internal/errs"
	"github.com/haven-nrm/haven/internal/i18n"
	"github.com/haven-nrm/haven/internal/notify"
	"github.com/haven-nrm/haven/internal/store"
)

// Service carries out administration.
type Service struct {
	db        *store.DB
	now       func() time.Time
	countries *casework.Countries
	mailer    *notify.Mailer
	bundle    *i18n.Bundle
}

// New returns the service; countries are the legal profiles a
// jurisdiction may name (nil: the embedded ones).
func New(db *store.DB, now func() time.Time, countries *casework.Countries) (*Service, error) {
	if now == nil {
		now = time.Now
	}
	if countries == nil {
		cs, err := casework.DefaultCountries()
		if err != nil {
			return nil, err
		}
		countries = cs
	}
	return &Service{db: db, now: now, countries: countries, mailer: notify.NewMailer(notify.Config{})}, nil
}

// By is who acts: a signed-in principal, or the server's shell.
type By struct {
	Principal access.Principal
	// Shell: the command line on the server, which acts as the system
	// (whoever runs it can read the keys and the database anyway).
	Shell bool
}

// Shell is the command line's actor.
var Shell = By{Shell: true}

func (b By) allowed(a access.Action, r access.Resource) bool {
	return b.Shell || access.Allowed(a, b.Principal, r)
}

// event is an audit event by b; the shell's reason is "cli".
func (b By) event(action, objectType, objectID, agency string, details map[string]string) audit.Event {
	ev := audit.Event{Action: action, ObjectType: objectType, ObjectID: objectID, Agency: agency, Details: details}
	if b.Shell {
		ev.Reason = "cli"
	} else {
		ev.Actor = b.Principal.UserID
		if ev.Agency == "" {
			ev.Agency = b.Principal.AgencyID
		}
	}
	return ev
}

var errForbidden = errs.E(errs.Forbidden, "administration not allowed")

// invalid is a refusal on a field, translated by admin.error.<key>.
func invalid(field, key string) error {
	return errs.Field(field, "admin.error."+key, errors.New("invalid "+field))
}

// ---- first run ----

// InitInput is the first run: the country, its zone and the first system
// administrator.
type InitInput struct {
	Country, TimeZone, Name string
	Username, DisplayName   string
	Email                   string
}

// AdminAgencyKind is the kind of the agency that holds the system
// administrators made by Init.
const AdminAgencyKind = "administration"

// Init sets up an empty instance: the country's jurisdiction, the agency
// of its administration and the first system administrator, who has no
// password: the one-time setup link it returns (valid for life) is the
// only way in, and its page asks the person to choose a password and set
// up a second factor. errs.Conflict when any account exists already, so
// Init never makes a second way in.
func (s *Service) Init(ctx context.Context, in InitInput, m *notify.Mailer, life time.Duration) (store.User, accounts.Link, error) {
	j, err := s.checkJurisdiction(ctx, JurisdictionInput{Code: in.Country, Country: in.Country, Name: in.Name, TimeZone: in.TimeZone}, nil)
	if err != nil {
		return store.User{}, accounts.Link{}, err
	}
	u, err := checkAccount(in.Username, in.DisplayName, in.Email)
	if err != nil {
		return store.User{}, accounts.Link{}, err
	}
	u.Role = string(access.SystemAdmin)
	var link accounts.Link
	err = s.db.Write(ctx, func(tx *store.Tx) error {
		var n int64
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM users`).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return errs.E(errs.Conflict, "the instance is set up already: it has accounts")
		}
		now := store.Millis(tx.Now)
		j.ID, j.CreatedAt = store.NewID(), now
		if existing, err := s.db.JurisdictionByCode(ctx, j.Code); err == nil {
			j = existing // a jurisdiction made by an earlier, interrupted set-up
		} else if err := tx.InsertJurisdictionSettings(ctx, j); err != nil {
			return err
		} else if err := tx.Audit(ctx, Shell.event("jurisdiction.create", "jurisdiction", j.ID, "", map[string]string{"code": j.Code})); err != nil {
			return err
		}
		a := store.AgencySettings{Agency: store.Agency{ID: store.NewID(), JurisdictionID: j.ID, Kind: AdminAgencyKind,
			Name: "System administration", CreatedAt: now}, Names: "{}", Active: true}
		if err := tx.InsertAgencySettings(ctx, a); err != nil {
			return err
		}
		if err := tx.Audit(ctx, Shell.event("agency.create", "agency", a.ID, a.ID, map[string]string{"kind": a.Kind})); err != nil {
			return err
		}
		u.ID, u.AgencyID, u.CreatedAt, u.UpdatedAt = store.NewID(), a.ID, now, now
		if err := tx.InsertUser(ctx, u); err != nil {
			return err
		}
		if err := tx.Audit(ctx, Shell.event("user.create", "user", u.ID, a.ID, map[string]string{"role": u.Role, "via": "init"})); err != nil {
			return err
		}
		var err error
		link, err = accounts.IssueEnrolLink(ctx, tx, u, tx.Now, life, accounts.Delivery(m, u), "init")
		return err
	})
	if err != nil {
		return store.User{}, accounts.Link{}, usernameTaken(err)
	}
	return u, link, nil
}

var usernameRE = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{1,63}$`)

// checkAccount checks a new account's name, display name and address. The
// account has no password: its person chooses one on the link's page.
func checkAccount(username, display, email string) (store.User, error) {
	username = strings.TrimSpace(username)
	if !usernameRE.MatchString(username) {
		return store.User{}, invalid("username", "username")
	}
	if err := text(display, 100); err != nil {
		return store.User{}, invalid("display_name", "display_name")
	}
	if email != "" && !plausibleEmail(email) {
		return store.User{}, invalid("email", "email")
	}
	return store.User{Username: username, DisplayName: strings.TrimSpace(display), Email: email}, nil
}

func plausibleEmail(s string) bool {
	at := strings.IndexByte(s, '@')
	return at > 0 && at < len(s)-1 && strings.Count(s, "@") == 1 && len(s) <= 254 && !strings.ContainsAny(s, " <>,;\"\r\n\t")
}

// text checks a one-line text of at most max characters: not empty, valid
// UTF-8, no control characters.
func text(s string, max int) error {
	s = strings.TrimSpace(s)
	if s == "" || !utf8.ValidString(s) || utf8.RuneCountInString(s) > max || strings.ContainsFunc(s, unicode.IsControl) {
		return errors.New("bad text")
	}
	return nil
}

// ---- jurisdictions ----

// JurisdictionInput is a jurisdiction as an administrator enters it. The
// numbers are text as posted; "" keeps the legal profile's value.
type JurisdictionInput struct {
	Code             string `field:"code" json:"code"`
	Country          string `field:"country" json:"country"`
	Name             string `field:"name" json:"name"`
	Parent           string `field:"parent" json:"parent"`
	TimeZone         string `field:"time_zone" json:"time_zone"`
	Calendar         string `field:"calendar" json:"calendar"`
	LegalProfile     string `field:"legal_profile" json:"legal_profile"`
	Languages        string `field:"languages" json:"languages"`
	RGWorkingDays    string `field:"rg_working_days" json:"rg_working_days"`
	RecoveryMinDays  string `field:"recovery_min_days" json:"recovery_min_days"`
	NegativeRGReview string `field:"negative_rg_review" json:"negative_rg_review"`
	Version          string `field:"version" json:"version"`
}

// Jurisdiction is a jurisdiction as administration shows it.
type Jurisdiction = store.JurisdictionSettings

var (
	codeRE    = regexp.MustCompile(`^[A-Z]{2}(-[A-Z0-9]{1,8})?$`)
	countryRE = regexp.MustCompile(`^[A-Z]{2}$`)
)

// checkJurisdiction checks in; old is the row being changed, nil for a
// new one (whose code and country are then checked too).
func (s *Service) checkJurisdiction(ctx context.Context, in JurisdictionInput, old *Jurisdiction) (Jurisdiction, error) {
	var j Jurisdiction
	if old != nil {
		j = *old
	} else {
		j.Code = strings.ToUpper(strings.TrimSpace(in.Code))
		j.Country = strings.ToUpper(strings.TrimSpace(in.Country))
		if !countryRE.MatchString(j.Country) {
			return j, invalid("country", "country")
		}
		// ISO 3166-1 alpha-2: x/text knows the assigned codes.
		if r, err := language.ParseRegion(j.Country); err != nil || !r.IsCountry() || r.String() != j.Country {
			return j, invalid("country", "country")
		}
		if !codeRE.MatchString(j.Code) || j.Code[:2] != j.Country {
			return j, invalid("code", "code")
		}
	}
	j.Name = strings.TrimSpace(in.Name)
	if j.Name == "" {
		j.Name = j.Code
	}
	if text(j.Name, 120) != nil {
		return j, invalid("name", "name")
	}
	j.Timezone = strings.TrimSpace(in.TimeZone)
	if _, err := time.LoadLocation(j.Timezone); err != nil || j.Timezone == "" || j.Timezone == "Local" {
		return j, invalid("time_zone", "time_zone")
	}
	j.ParentID = ""
	if p := strings.ToUpper(strings.TrimSpace(in.Parent)); p != "" {
		parent, err := s.db.JurisdictionByCode(ctx, p)
		if err != nil || parent.Country != j.Country || parent.Code == j.Code {
			return j, invalid("parent", "parent")
		}
		j.ParentID = parent.ID
	}
	j.LegalProfile = strings.ToUpper(strings.TrimSpace(in.LegalProfile))
	if j.LegalProfile != "" && !slices.Contains(s.countries.Codes(), j.LegalProfile) {
		return j, invalid("legal_profile", "legal_profile")
	}
	j.Calendar = strings.ToUpper(strings.TrimSpace(in.Calendar))
	if j.Calendar != "" && !codeRE.MatchString(j.Calendar) {
		return j, invalid("calendar", "calendar")
	}
	var langs []string
	for _, t := range strings.Split(in.Languages, ",") {
		if t = strings.TrimSpace(t); t == "" {
			continue
		}
		tag, err := language.Parse(t)
		if err != nil || slices.Contains(langs, tag.String()) || len(langs) >= 10 {
			return j, invalid("languages", "languages")
		}
		langs = append(langs, tag.String())
	}
	j.Languages = strings.Join(langs, ",")
	var err error
	if j.RGWorkingDays, err = optionalInt(in.RGWorkingDays, 1, casework.MaxRGTargetWorkingDays); err != nil {
		return j, invalid("rg_working_days", "rg_working_days")
	}
	if j.RecoveryMinDays, err = optionalInt(in.RecoveryMinDays, casework.MinRecoveryDays, 3660); err != nil {
		return j, invalid("recovery_min_days", "recovery_min_days")
	}
	switch strings.TrimSpace(in.NegativeRGReview) {
	case "":
		j.NegativeRGReview = -1
	case "yes", "true", "1":
		j.NegativeRGReview = 1
	case "no", "false", "0":
		j.NegativeRGReview = 0
	default:
		return j, invalid("negative_rg_review", "negative_rg_review")
	}
	return j, nil
}

// optionalInt reads "" as 0 and anything else as a whole number in
// [lo, hi].
func optionalInt(s string, lo, hi int) (int, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < lo || n > hi {
		return 0, errors.New("out of range")
	}
	return n, nil
}

// jurisdictionByCode reads the jurisdiction code as typed: spaces around
// it and the case of its letters do not matter.
func (s *Service) jurisdictionByCode(ctx context.Context, code string) (Jurisdiction, error) {
	return s.db.JurisdictionByCode(ctx, strings.ToUpper(strings.TrimSpace(code)))
}

// keptJurisdiction reads the jurisdiction code (as typed) for by, who must
// keep jurisdictions: errForbidden for another.
func (s *Service) keptJurisdiction(ctx context.Context, by By, code string) (Jurisdiction, error) {
	if !by.allowed(access.ManageJurisdictions, access.Resource{}) {
		return Jurisdiction{}, errForbidden
	}
	return s.jurisdictionByCode(ctx, code)
}

// changedVersion is the version an update was made on: v as posted, or
// cur when v is empty (the command line changes the current one).
func changedVersion(v string, cur int64) (int64, error) {
	v = strings.TrimSpace(v)
	if v == "" {
		return cur, nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		return cur, invalid("version", "version")
	}
	return n, nil
}

// jurisdictionsAndAgencies reads every jurisdiction and every agency.
func (s *Service) jurisdictionsAndAgencies(ctx context.Context) ([]Jurisdiction, []Agency, error) {
	js, err := s.db.AllJurisdictionSettings(ctx)
	if err != nil {
		return nil, nil, err
	}
	as, err := s.db.AllAgencySettings(ctx)
	if err != nil {
		return nil, nil, err
	}
	return js, as, nil
}

// Jurisdictions lists every jurisdiction by code.
func (s *Service) Jurisdictions(ctx context.Context, by By) ([]Jurisdiction, error) {
	if !by.allowed(access.ViewDirectory, access.Resource{}) && !by.allowed(access.ManageJurisdictions, access.Resource{}) {
		return nil, errForbidden
	}
	return s.db.AllJurisdictionSettings(ctx)
}

// AddJurisdiction adds a jurisdiction (jurisdiction.create).
func (s *Service) AddJurisdiction(ctx context.Context, by By, in JurisdictionInput) (Jurisdiction, error) {
	if !by.allowed(access.ManageJurisdictions, access.Resource{}) {
		return Jurisdiction{}, errForbidden
	}
	j, err := s.checkJurisdiction(ctx, in, nil)
	if err != nil {
		return j, err
	}
	err = s.db.Write(ctx, func(tx *store.Tx) error {
		j.ID, j.CreatedAt, j.Version = store.NewID(), store.Millis(tx.Now), 1
		if err := tx.InsertJurisdictionSettings(ctx, j); err != nil {
			return err
		}
		return tx.Audit(ctx, by.event("jurisdiction.create", "jurisdiction", j.ID, "", map[string]string{"code": j.Code}))
	})
	return j, err
}

// UpdateJurisdiction changes the jurisdiction code's settings
// (jurisdiction.update); in.Version must be the version the change was
// made on ("" on the command line: the current one).
func (s *Service) UpdateJurisdiction(ctx context.Context, by By, code string, in JurisdictionInput) (Jurisdiction, error) {
	old, err := s.keptJurisdiction(ctx, by, code)
	if err != nil {
		return Jurisdiction{}, err
	}
	if old.Version, err = changedVersion(in.Version, old.Version); err != nil {
		return old, err
	}
	j, err := s.checkJurisdiction(ctx, in, &old)
	if err != nil {
		return j, err
	}
	err = s.db.Write(ctx, func(tx *store.Tx) error {
		if err := tx.UpdateJurisdictionSettings(ctx, j); err != nil {
			return err
		}
		return tx.Audit(ctx, by.event("jurisdiction.update", "jurisdiction", j.ID, "", map[string]string{"code": j.Code}))
	})
	if err == nil {
		j.Version++
	}
	return j, err
}

// ---- agencies ----

// Designations are the parts an agency may have in the referral
// mechanism.
var Designations = []string{"competent_authority", "child_protection", "police", "prosecution", "shelter", "labour_inspection",
	"immigration", "health", "social_services", "ngo"}

// AgencyKinds are the sectors an agency belongs to: the seed's, the
// competent authority's and the instance administration's.
var AgencyKinds = []string{"local_government", "police", "labour_inspection", "health", "education", "ngo", "shelter_short_term",
	"shelter_long_term", "immigration", "competent_authority", "prosecution", AdminAgencyKind}

// AgencyInput is an agency as an administrator enters it.
type AgencyInput struct {
	Jurisdiction string            `json:"jurisdiction"`
	Kind         string            `json:"kind"`
	Name         string            `json:"name"`
	Names        map[string]string `json:"names"`
	Designations []string          `json:"designations"`
	Contact      string            `json:"contact"`
	// Active is "yes" or "no"; "" keeps it (a new agency is active).
	Active  string `json:"active"`
	Version string `json:"version"`
}

// Agency is an agency as administration shows it.
type Agency = store.AgencySettings

func (s *Service) checkAgency(ctx context.Context, in AgencyInput, old *Agency) (Agency, error) {
	var a Agency
	if old != nil {
		a = *old
	} else {
		a.Active = true
	}
	if in.Jurisdiction != "" || old == nil {
		j, err := s.jurisdictionByCode(ctx, in.Jurisdiction)
		if err != nil {
			return a, invalid("jurisdiction", "jurisdiction")
		}
		a.JurisdictionID = j.ID
	}
	if in.Kind != "" || old == nil {
		if !slices.Contains(AgencyKinds, in.Kind) {
			return a, invalid("kind", "kind")
		}
		a.Kind = in.Kind
	}
	if in.Name != "" || old == nil {
		if text(in.Name, 160) != nil {
			return a, invalid("name", "name")
		}
		a.Name = strings.TrimSpace(in.Name)
	}
	if in.Names != nil {
		names := map[string]string{}
		for tag, n := range in.Names {
			t, err := language.Parse(tag)
			if err != nil || text(n, 160) != nil || len(names) >= 20 {
				return a, invalid("names", "names")
			}
			names[t.String()] = strings.TrimSpace(n)
		}
		b, err := json.Marshal(names)
		if err != nil {
			return a, err
		}
		a.Names = string(b)
	} else if old == nil {
		a.Names = "{}"
	}
	if in.Designations != nil || old == nil {
		var ds []string
		for _, d := range in.Designations {
			if d = strings.TrimSpace(d); d == "" {
				continue
			}
			if !slices.Contains(Designations, d) || slices.Contains(ds, d) {
				return a, invalid("designations", "designations")
			}
			ds = append(ds, d)
		}
		a.Designations = strings.Join(ds, ",")
	}
	if in.Contact != "" || old == nil {
		if in.Contact != "" && text(in.Contact, 200) != nil {
			return a, invalid("contact", "contact")
		}
		a.Contact = strings.TrimSpace(in.Contact)
	}
	switch in.Active {
	case "":
	case "yes", "true", "1":
		a.Active = true
	case "no", "false", "0":
		a.Active = false
	default:
		return a, invalid("active", "active")
	}
	return a, nil
}

// Agencies lists every agency.
func (s *Service) Agencies(ctx context.Context, by By) ([]Agency, error) {
	if !by.allowed(access.ViewDirectory, access.Resource{}) && !by.allowed(access.ManageAgencies, access.Resource{}) {
		return nil, errForbidden
	}
	return s.db.AllAgencySettings(ctx)
}

// AddAgency adds an agency (agency.create).
func (s *Service) AddAgency(ctx context.Context, by By, in AgencyInput) (Agency, error) {
	if !by.allowed(access.ManageAgencies, access.Resource{}) {
		return Agency{}, errForbidden
	}
	a, err := s.checkAgency(ctx, in, nil)
	if err != nil {
		return a, err
	}
	err = s.db.Write(ctx, func(tx *store.Tx) error {
		a.ID, a.CreatedAt, a.Version = store.NewID(), store.Millis(tx.Now), 1
		if err := tx.InsertAgencySettings(ctx, a); err != nil {
			return err
		}
		return tx.Audit(ctx, by.event("agency.create", "agency", a.ID, a.ID, map[string]string{"kind": a.Kind}))
	})
	return a, err
}

// UpdateAgency changes agency id (agency.update); fields left empty keep
// their value.
func (s *Service) UpdateAgency(ctx context.Context, by By, id string, in AgencyInput) (Agency, error) {
	if !by.allowed(access.ManageAgencies, access.Resource{}) {
		return Agency{}, errForbidden
	}
	old, err := s.db.AgencySettingsByID(ctx, strings.TrimSpace(id))
	if err != nil {
		return Agency{}, err
	}
	if old.Version, err = changedVersion(in.Version, old.Version); err != nil {
		return old, err
	}
	a, err := s.checkAgency(ctx, in, &old)
	if err != nil {
		return a, err
	}
	err = s.db.Write(ctx, func(tx *store.Tx) error {
		if err := tx.UpdateAgencySettings(ctx, a); err != nil {
			return err
		}
		return tx.Audit(ctx, by.event("agency.update", "agency", a.ID, a.ID, map[string]string{"active": strconv.FormatBool(a.Active)}))
	})
	if err == nil {
		a.Version++
	}
	return a, err
}

// EditJurisdiction returns the jurisdiction code as the input that would
// leave it unchanged: an edit form, or an update that sets a few fields,
// starts from it.
func (s *Service) EditJurisdiction(ctx context.Context, by By, code string) (JurisdictionInput, error) {
	j, err := s.keptJurisdiction(ctx, by, code)
	if err != nil {
		return JurisdictionInput{}, err
	}
	in := JurisdictionInput{Code: j.Code, Country: j.Country, Name: j.Name, TimeZone: j.Timezone, Calendar: j.Calendar,
		LegalProfile: j.LegalProfile, Languages: j.Languages, Version: strconv.FormatInt(j.Version, 10)}
	if j.ParentID != "" {
		p, err := s.db.Jurisdiction(ctx, j.ParentID)
		if err != nil {
			return in, err
		}
		in.Parent = p.Code
	}
	if j.RGWorkingDays > 0 {
		in.RGWorkingDays = strconv.Itoa(j.RGWorkingDays)
	}
	if j.RecoveryMinDays > 0 {
		in.RecoveryMinDays = strconv.Itoa(j.RecoveryMinDays)
	}
	switch j.NegativeRGReview {
	case 0:
		in.NegativeRGReview = "no"
	case 1:
		in.NegativeRGReview = "yes"
	}
	return in, nil
}
