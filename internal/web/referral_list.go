package web

import (
	"net/http"

	"github.com/haven-nrm/haven/internal/access"
	"github.com/haven-nrm/haven/internal/store"
)

type referralList struct {
	Received []store.Referral // the competent authority's queue
	Made     []store.Referral // what the user's agency referred
}

// referralIndex shows the referrals the principal's agency made (status
// only) and, for the competent authority, the queue of referrals received.
func (s *Server) referralIndex(w http.ResponseWriter, r *http.Request) error {
	p := principal(r)
	var data referralList
	var err error
	if p.Role == access.CompetentAuthority {
		if data.Received, err = s.DB.Referrals(r.Context(), store.ReferralFilter{ReceivingAgencyID: p.AgencyID}); err != nil {
			return err
		}
	}
	if data.Made, err = s.DB.Referrals(r.Context(), store.ReferralFilter{ReferringAgencyID: p.AgencyID}); err != nil {
		return err
	}
	return s.render(w, http.StatusOK, "referrals", s.newPage(r, "nav.referrals", "referrals", data))
}

type referralView struct {
	Ref store.Referral
	// Full is true for the receiving authority, which sees the coded
	// facts and screening; the referring agency sees the status only.
	Full bool
}

// referralShow shows one referral to its referring agency (status only) or
// its receiving authority.
func (s *Server) referralShow(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	if !isID(id) {
		return errNotFound
	}
	ref, err := s.DB.ReferralByID(r.Context(), id)
	if err != nil {
		return err
	}
	p := principal(r)
	full := p.AgencyID == ref.ReceivingAgencyID && access.Allowed(access.ViewReferral, p, access.Resource{AgencyID: ref.ReceivingAgencyID, JurisdictionID: ref.JurisdictionID})
	status := p.AgencyID == ref.ReferringAgencyID
	if !full && !status {
		return errNotFound
	}
	if err := s.DB.Write(r.Context(), func(tx *store.Tx) error {
		return tx.Audit(r.Context(), s.event(r, "referral.view", "referral", ref.ID, nil))
	}); err != nil {
		return err
	}
	return s.render(w, http.StatusOK, "referral", s.newPage(r, "referral.title", "referrals", referralView{Ref: ref, Full: full}))
}

// isID reports whether s has the form of a Haven id (store.NewID: 32
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
