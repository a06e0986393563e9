package web

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/haven-nrm/haven/internal/cases"
	"github.com/haven-nrm/haven/internal/errs"
)

// errCaseNotAvailable is a 404 that offers emergency access to roles that
// may break the glass; it says nothing about whether the case exists.
var errCaseNotAvailable = cases.ErrCaseNotAvailable

type breakGlassForm struct {
	CaseID, Reason, Justification string
	Reasons                       []string
	Error                         string
	// HoursText is how long a grant lasts, in hours; Max bounds the
	// justification.
	HoursText string
	Max       int
}

// breakGlassNew asks for the reason before a record outside scope opens.
// Emergency access needs a fresh proof of identity, as exports do: the
// form is shown only after it.
func (s *Server) breakGlassNew(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	if !isID(id) {
		return errNotFound
	}
	if ok, err := s.requireRecentAuth(w, r); !ok || err != nil {
		return err
	}
	return s.render(w, http.StatusOK, "break_glass", s.newPage(r, "breakglass.title", "cases", s.breakGlassForm(id)))
}

func (s *Server) breakGlassForm(id string) breakGlassForm {
	return breakGlassForm{CaseID: id, Reasons: cases.BreakGlassReasons(), Max: cases.MaxJustification,
		HoursText: strconv.FormatFloat(s.Config.BreakGlassDuration().Hours(), 'f', -1, 64)}
}

// breakGlassCreate records a read-only grant for the configured time with
// its reason, after a fresh proof of identity; the service audits it with
// the break-glass flag and notifies the record's agency.
func (s *Server) breakGlassCreate(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	if !isID(id) {
		return errNotFound
	}
	if err := r.ParseForm(); err != nil {
		return errs.Wrap(errs.Invalid, err)
	}
	if ok, err := s.requireRecentAuth(w, r); !ok || err != nil {
		return err
	}
	form := s.breakGlassForm(id)
	form.Reason, form.Justification = r.PostForm.Get("reason"), r.PostForm.Get("justification")
	// In scope already, the service breaks nothing and the case opens.
	if _, _, err := s.cases.BreakGlass(r.Context(), principal(r), id, form.Reason, form.Justification, s.Config.BreakGlassDuration()); err != nil {
		var e *errs.Error
		if errors.As(err, &e) && e.Kind == errs.Invalid && e.Key != "" {
			form.Error = e.Key
			return s.render(w, http.StatusUnprocessableEntity, "break_glass", s.newPage(r, "breakglass.title", "cases", form))
		}
		return err
	}
	http.Redirect(w, r, "/cases/"+id, http.StatusSeeOther)
	return nil
}
