package web

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/haven-nrm/haven/internal/accounts"
	"github.com/haven-nrm/haven/internal/admin"
	"github.com/haven-nrm/haven/internal/errs"
	"github.com/haven-nrm/haven/internal/i18n"
)

// The administration pages: each handler decodes its form into the admin
// service's input, calls one method and renders. The service decides
// access (access.Decide) and writes the audit events.

func (s *Server) admin() *admin.Service { return s.Services.Admin }

// by is the acting principal for the admin service.
func by(r *http.Request) admin.By { return admin.By{Principal: principal(r)} }

// adminHome is the administration page; for the system administrator it
// opens with the first-run guide until the set-up is complete.
func (s *Server) adminHome(w http.ResponseWriter, r *http.Request) error {
	st, err := s.admin().Setup(r.Context(), by(r))
	if err != nil {
		return err
	}
	return s.render(w, http.StatusOK, "admin", s.newPage(r, "admin.title", "admin", st))
}

// directoryPage is the jurisdictions and agencies pages' data.
type directoryPage struct {
	Dir   admin.Directory
	Langs []i18n.Language
	// Error is a refused form's message; Form the jurisdiction form as
	// sent; Profiles the legal profiles it may choose.
	Error    string
	Form     admin.JurisdictionInput
	Profiles []string
	// Agency is the agency form (empty: a new one) with its choices.
	Agency              admin.AgencyRow
	Kinds, Designations []string
}

func (s *Server) adminJurisdictions(w http.ResponseWriter, r *http.Request) error {
	return s.renderDirectory(w, r, "jurisdictions", "admin.jurisdictions", http.StatusOK, directoryPage{})
}

func (s *Server) adminAgencies(w http.ResponseWriter, r *http.Request) error {
	return s.renderDirectory(w, r, "agencies", "admin.agencies", http.StatusOK, directoryPage{})
}

func (s *Server) renderDirectory(w http.ResponseWriter, r *http.Request, tmpl, title string, status int, d directoryPage) error {
	dir, err := s.admin().Directory(r.Context(), by(r))
	if err != nil {
		return err
	}
	d.Dir, d.Langs, d.Profiles, d.Kinds, d.Designations = dir, s.I18n.Languages(), dir.Profiles, admin.AgencyKinds, admin.Designations
	d.Agency.Active = true
	return s.render(w, status, tmpl, s.newPage(r, title, "admin", d))
}

// adminRefused shows a refused form again with its message, or passes on
// anything that is not a refusal of the input.
func (s *Server) adminRefused(w http.ResponseWriter, r *http.Request, err error, show func(msg string) error) error {
	if errs.KindOf(err) != errs.Invalid && errs.KindOf(err) != errs.Conflict {
		return err
	}
	msg := s.refusalMessage(r, err)
	if errs.KindOf(err) == errs.Conflict {
		msg = s.localizer(r).T("admin.error.version")
	}
	return show(msg)
}

func jurisdictionInput(f url.Values) admin.JurisdictionInput {
	return admin.JurisdictionInput{Code: f.Get("code"), Country: f.Get("country"), Name: f.Get("name"), Parent: f.Get("parent"),
		TimeZone: f.Get("time_zone"), Calendar: f.Get("calendar"), LegalProfile: f.Get("legal_profile"), Languages: strings.Join(f["languages"], ","),
		RGWorkingDays: f.Get("rg_working_days"), RecoveryMinDays: f.Get("recovery_min_days"), NegativeRGReview: f.Get("negative_rg_review"),
		Version: f.Get("version")}
}

// jurisdictionCreate adds a jurisdiction.
func (s *Server) jurisdictionCreate(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return errs.Wrap(errs.Invalid, err)
	}
	in := jurisdictionInput(r.PostForm)
	if _, err := s.admin().AddJurisdiction(r.Context(), by(r), in); err != nil {
		return s.adminRefused(w, r, err, func(msg string) error {
			return s.renderDirectory(w, r, "jurisdictions", "admin.jurisdictions", http.StatusUnprocessableEntity, directoryPage{Error: msg, Form: in})
		})
	}
	http.Redirect(w, r, "/admin/jurisdictions", http.StatusSeeOther)
	return nil
}

// jurisdictionPage is the edit form of one jurisdiction.
type jurisdictionPage struct {
	Form     admin.JurisdictionInput
	Profiles []string
	Error    string
}

// jurisdictionEdit shows a jurisdiction's settings for change.
func (s *Server) jurisdictionEdit(w http.ResponseWriter, r *http.Request) error {
	in, err := s.admin().EditJurisdiction(r.Context(), by(r), r.PathValue("code"))
	if err != nil {
		return err
	}
	return s.renderJurisdiction(w, r, http.StatusOK, jurisdictionPage{Form: in})
}

func (s *Server) renderJurisdiction(w http.ResponseWriter, r *http.Request, status int, d jurisdictionPage) error {
	d.Profiles = admin.Profiles()
	return s.render(w, status, "jurisdiction", s.newPage(r, "admin.jurisdiction.edit", "admin", d))
}

// jurisdictionUpdate changes a jurisdiction's settings.
func (s *Server) jurisdictionUpdate(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return errs.Wrap(errs.Invalid, err)
	}
	in := jurisdictionInput(r.PostForm)
	in.Code = r.PathValue("code")
	if _, err := s.admin().UpdateJurisdiction(r.Context(), by(r), in.Code, in); err != nil {
		return s.adminRefused(w, r, err, func(msg string) error {
			return s.renderJurisdiction(w, r, http.StatusUnprocessableEntity, jurisdictionPage{Form: in, Error: msg})
		})
	}
	http.Redirect(w, r, "/admin/jurisdictions", http.StatusSeeOther)
	return nil
}

// agencyInput reads an agency form: a name per language of the
// interface (name_<tag>) and designations as checkboxes.
func (s *Server) agencyInput(f url.Values) admin.AgencyInput {
	in := admin.AgencyInput{Jurisdiction: f.Get("jurisdiction"), Kind: f.Get("kind"), Name: f.Get("name"), Contact: f.Get("contact"),
		Active: f.Get("active"), Version: f.Get("version"), Designations: f["designations"], Names: map[string]string{}}
	if in.Designations == nil {
		in.Designations = []string{}
	}
	for _, l := range s.I18n.Languages() {
		if n := f.Get("name_" + l.Tag); n != "" {
			in.Names[l.Tag] = n
		}
	}
	return in
}

// agencyCreate adds an agency.
func (s *Server) agencyCreate(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return errs.Wrap(errs.Invalid, err)
	}
	if _, err := s.admin().AddAgency(r.Context(), by(r), s.agencyInput(r.PostForm)); err != nil {
		return s.adminRefused(w, r, err, func(msg string) error {
			return s.renderDirectory(w, r, "agencies", "admin.agencies", http.StatusUnprocessableEntity, directoryPage{Error: msg})
		})
	}
	http.Redirect(w, r, "/admin/agencies", http.StatusSeeOther)
	return nil
}

// agencyPage is the edit form of one agency.
type agencyPage struct {
	Agency              admin.AgencyRow
	Langs               []i18n.Language
	Kinds, Designations []string
	Error               string
}

// agencyEdit shows an agency for change.
func (s *Server) agencyEdit(w http.ResponseWriter, r *http.Request) error {
	a, err := s.admin().EditAgency(r.Context(), by(r), r.PathValue("id"))
	if err != nil {
		return err
	}
	return s.renderAgency(w, r, http.StatusOK, agencyPage{Agency: a})
}

func (s *Server) renderAgency(w http.ResponseWriter, r *http.Request, status int, d agencyPage) error {
	d.Langs, d.Kinds, d.Designations = s.I18n.Languages(), admin.AgencyKinds, admin.Designations
	return s.render(w, status, "agency", s.newPage(r, "admin.agency.edit", "admin", d))
}

// agencyUpdate changes an agency.
func (s *Server) agencyUpdate(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return errs.Wrap(errs.Invalid, err)
	}
	if _, err := s.admin().UpdateAgency(r.Context(), by(r), r.PathValue("id"), s.agencyInput(r.PostForm)); err != nil {
		return s.adminRefused(w, r, err, func(msg string) error {
			a, aerr := s.admin().EditAgency(r.Context(), by(r), r.PathValue("id"))
			if aerr != nil {
				return aerr
			}
			return s.renderAgency(w, r, http.StatusUnprocessableEntity, agencyPage{Agency: a, Error: msg})
		})
	}
	http.Redirect(w, r, "/admin/agencies", http.StatusSeeOther)
	return nil
}

// usersPage is the accounts page's data.
type usersPage struct {
	admin.Accounts
	Error string
	// Issued is a link just issued; Link its address when it is to be
	// shown (once) rather than e-mailed.
	Issued *admin.Issued
	Link   string
}

// adminUsers lists the accounts the reader administers.
func (s *Server) adminUsers(w http.ResponseWriter, r *http.Request) error {
	return s.renderUsers(w, r, http.StatusOK, usersPage{})
}

func (s *Server) renderUsers(w http.ResponseWriter, r *http.Request, status int, d usersPage) error {
	acc, err := s.admin().Accounts(r.Context(), by(r))
	if err != nil {
		return err
	}
	d.Accounts = acc
	return s.render(w, status, "users", s.newPage(r, "admin.users", "admin", d))
}

// issued shows the accounts page with a link just issued: its address
// once, when it was not e-mailed.
func (s *Server) issued(w http.ResponseWriter, r *http.Request, is admin.Issued) error {
	d := usersPage{Issued: &is}
	if is.Link.Delivery == accounts.DeliveryShown {
		d.Link = is.Link.URL(s.baseURL(r))
	}
	w.Header().Set("Cache-Control", "no-store")
	return s.renderUsers(w, r, http.StatusOK, d)
}

// userInvite invites a person: an account without a password and its
// one-time link.
func (s *Server) userInvite(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return errs.Wrap(errs.Invalid, err)
	}
	f := r.PostForm
	is, err := s.admin().InviteAndDeliver(r.Context(), by(r), admin.InviteInput{Username: f.Get("username"), DisplayName: f.Get("display_name"),
		Role: f.Get("role"), AgencyID: f.Get("agency_id"), Email: f.Get("email")})
	if err != nil {
		return s.adminRefused(w, r, err, func(msg string) error {
			return s.renderUsers(w, r, http.StatusUnprocessableEntity, usersPage{Error: msg})
		})
	}
	return s.issued(w, r, is)
}

// userRole changes an account's role.
func (s *Server) userRole(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return errs.Wrap(errs.Invalid, err)
	}
	if err := s.admin().SetRole(r.Context(), by(r), r.PathValue("id"), r.PostForm.Get("role")); err != nil {
		return s.adminRefused(w, r, err, func(msg string) error {
			return s.renderUsers(w, r, http.StatusUnprocessableEntity, usersPage{Error: msg})
		})
	}
	http.Redirect(w, r, "/admin/users", http.StatusSeeOther)
	return nil
}

// userDisable and userEnable disable and re-enable an account.
func (s *Server) userDisable(w http.ResponseWriter, r *http.Request) error {
	if err := s.admin().SetDisabled(r.Context(), by(r), r.PathValue("id"), true); err != nil {
		return err
	}
	http.Redirect(w, r, "/admin/users", http.StatusSeeOther)
	return nil
}

func (s *Server) userEnable(w http.ResponseWriter, r *http.Request) error {
	if err := s.admin().SetDisabled(r.Context(), by(r), r.PathValue("id"), false); err != nil {
		return err
	}
	http.Redirect(w, r, "/admin/users", http.StatusSeeOther)
	return nil
}

// userResetMFA removes an account's second factor and issues a new
// enrolment link.
func (s *Server) userResetMFA(w http.ResponseWriter, r *http.Request) error {
	is, err := s.admin().ResetAndDeliver(r.Context(), by(r), r.PathValue("id"))
	if err != nil {
		return err
	}
	return s.issued(w, r, is)
}

// baseURL is Haven's public address for links shown to an administrator:
// the configured one, else the address the administrator reached.
func (s *Server) baseURL(r *http.Request) string {
	if s.Config.BaseURL != "" {
		return s.Config.BaseURL
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}
