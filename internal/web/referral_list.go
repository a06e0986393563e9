package web

import (
	"net/http"

	"github.com/haven-nrm/haven/internal/referral"
)

// referralPage is one referral; Sent shows the confirmation its referrer
// sees right after sending it.
type referralPage struct {
	referral.View
	Sent bool
}

// referralIndex shows the referrals the principal's agency made (status
// only) and, for the competent authority, the queue of referrals received.
func (s *Server) referralIndex(w http.ResponseWriter, r *http.Request) error {
	data, err := s.referrals().List(r.Context(), principal(r))
	if err != nil {
		return err
	}
	return s.render(w, http.StatusOK, "referrals", s.newPage(r, "nav.referrals", "referrals", data))
}

// referralShow shows one referral to its referring agency (status only) or
// its receiving authority; the view is audited.
func (s *Server) referralShow(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	if !isID(id) {
		return errNotFound
	}
	v, err := s.referrals().View(r.Context(), principal(r), id)
	if err != nil {
		return err
	}
	pg := s.newPage(r, "referral.title", "referrals", referralPage{View: v, Sent: r.URL.Query().Get("sent") == "1"})
	pg.TitleDetail = v.Ref.Reference
	return s.render(w, http.StatusOK, "referral", pg)
}

// isID reports whether s has the form of a Haven id (as the store makes them: 32
// lowercase hex digits). Anything else answers 404 before it reaches the
// database, where PostgreSQL refuses NUL and invalid UTF-8 in text
// parameters with an error.
func isID(s string) bool {
	if len(s) != 32 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

// promptSheet is the printable interview guide for places where no device
// can be used.
func (s *Server) promptSheet(w http.ResponseWriter, r *http.Request) error {
	return s.render(w, http.StatusOK, "prompt_sheet", s.newPage(r, "prompt.title", "referrals", lists()))
}
