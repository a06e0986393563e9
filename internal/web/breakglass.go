package web

import (
	"errors"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/haven-nrm/haven/internal/access"
	"github.com/haven-nrm/haven/internal/audit"
	"github.com/haven-nrm/haven/internal/errs"
	"github.com/haven-nrm/haven/internal/seal"
	"github.com/haven-nrm/haven/internal/store"
)

// errCaseNotAvailable is a 404 that offers emergency access to roles that
// may break the glass; it says nothing about whether the case exists.
var errCaseNotAvailable = &errs.Error{Kind: errs.NotFound, Key: "error.not_found", Err: errors.New("case not available")}

// breakGlassReasons are the coded reasons for emergency access.
var breakGlassReasons = []string{"danger_to_life", "continuity_of_care", "court_order", "other"}

const breakGlassFor = time.Hour

type breakGlassForm struct {
	CaseID, Reason, Justification string
	Reasons                       []string
	Error                         string
}

// breakGlassNew asks for the reason before a record outside scope opens.
func (s *Server) breakGlassNew(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	if !isID(id) {
		return errNotFound
	}
	return s.render(w, http.StatusOK, "break_glass", s.newPage(r, "breakglass.title", "cases", breakGlassForm{CaseID: id, Reasons: breakGlassReasons}))
}

// breakGlassCreate records a grant with its reason, audits it with the
// break-glass flag and notifies the record's agency.
func (s *Server) breakGlassCreate(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	if !isID(id) {
		return errNotFound
	}
	if err := r.ParseForm(); err != nil {
		return errs.Wrap(errs.Invalid, err)
	}
	form := breakGlassForm{CaseID: id, Reasons: breakGlassReasons, Reason: r.PostForm.Get("reason"),
		Justification: strings.TrimSpace(r.PostForm.Get("justification"))}
	switch {
	case !contains(breakGlassReasons, form.Reason):
		form.Error = "breakglass.error.reason"
	case form.Justification == "" || utf8.RuneCountInString(form.Justification) > 500 || !utf8.ValidString(form.Justification):
		form.Error = "breakglass.error.justification"
	}
	if form.Error != "" {
		return s.render(w, http.StatusUnprocessableEntity, "break_glass", s.newPage(r, "breakglass.title", "cases", form))
	}
	c, err := s.DB.Case(r.Context(), id)
	if err != nil {
		return err
	}
	p := principal(r)
	if access.Allowed(access.ViewCaseSummary, p, access.Resource{AgencyID: c.AgencyID, JurisdictionID: c.JurisdictionID}) {
		// In scope already: nothing to break.
		http.Redirect(w, r, "/cases/"+c.ID, http.StatusSeeOther)
		return nil
	}
	gid := store.NewID()
	dk, wk, err := s.Keys.NewDataKey(gid)
	if err != nil {
		return err
	}
	ct, err := seal.Seal(dk, gid, "justification", []byte(form.Justification))
	dk.Destroy()
	if err != nil {
		return err
	}
	now := s.Now()
	err = s.DB.Write(r.Context(), func(tx *store.Tx) error {
		if err := tx.InsertBreakGlass(r.Context(), store.BreakGlassGrant{ID: gid, UserID: p.UserID, CaseID: c.ID, AgencyID: c.AgencyID,
			Reason: form.Reason, WrappedKey: wk, Justification: ct, CreatedAt: store.Millis(now), ExpiresAt: store.Millis(now.Add(breakGlassFor))}); err != nil {
			return err
		}
		ev := s.event(r, "case.break_glass", "case", c.ID, map[string]string{"grant": gid, "reason": form.Reason, "record_agency": c.AgencyID})
		ev.Flags, ev.Reason = audit.FlagBreakGlass, gid
		if err := tx.Audit(r.Context(), ev); err != nil {
			return err
		}
		return tx.InsertNotification(r.Context(), store.Notification{ID: store.NewID(), AgencyID: c.AgencyID, Kind: "break_glass",
			ObjectType: "case", ObjectID: c.ID, CreatedAt: store.Millis(now)})
	})
	if err != nil {
		return err
	}
	http.Redirect(w, r, "/cases/"+c.ID, http.StatusSeeOther)
	return nil
}

func contains(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}
