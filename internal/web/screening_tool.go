package web

import (
	"net/http"

	"github.com/haven-nrm/haven/internal/errs"
	"github.com/haven-nrm/haven/internal/intake"
)

// screeningTool lets anyone who may refer check facts against the law and
// the indicators without recording anything about a person.
func (s *Server) screeningTool(w http.ResponseWriter, r *http.Request) error {
	form := &referralForm{Lists: lists(), ScreeningOnly: true, Errors: map[string]string{}}
	if r.Method == http.MethodPost {
		if err := r.ParseForm(); err != nil {
			return errs.Wrap(errs.Invalid, err)
		}
		ref, _, perr := parseReferralForm(r.PostForm)
		// The tool never takes identifying data or consent.
		ref.Identity, ref.Consent, ref.Sector = intake.Identity{}, intake.ConsentDeclined, "government_official"
		form.R = ref
		if perr != nil {
			form.Errors = fieldErrors(perr)
		} else if plan, err := s.referrals().Screen(r.Context(), s.by(r), ref); err != nil {
			if !isIntakeErrors(err) {
				return err
			}
			form.Errors = fieldErrors(err)
		} else {
			form.Plan = &plan
		}
	}
	form.Selected, form.Profile = selected(form.R), s.formProfile(form.R)
	if r.Header.Get("X-Haven-Fragment") == "screening" {
		return s.renderFragment(w, "screening_panel", s.newPage(r, "nav.screening", "screening", form))
	}
	return s.render(w, http.StatusOK, "referral_new", s.newPage(r, "nav.screening", "screening", form))
}
