package web

import (
	"net/http"

	"github.com/haven-nrm/haven/internal/accounts"
	"github.com/haven-nrm/haven/internal/admin"
)

// The administration's JSON API: the same service methods, access
// decisions and audit events as the pages. Bodies are JSON objects whose
// members are the input structs' json names; unknown members are refused.

// apiJurisdictions lists the jurisdictions.
func (s *Server) apiJurisdictions(w http.ResponseWriter, r *http.Request) error {
	js, err := s.admin().Jurisdictions(r.Context(), by(r))
	if err != nil {
		return err
	}
	out := make([]admin.JurisdictionJSON, len(js))
	for i, j := range js {
		out[i] = admin.ToJSON(j)
	}
	return writeJSON(w, http.StatusOK, map[string]any{"jurisdictions": out})
}

// apiJurisdictionCreate adds a jurisdiction.
func (s *Server) apiJurisdictionCreate(w http.ResponseWriter, r *http.Request) error {
	var in admin.JurisdictionInput
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	j, err := s.admin().AddJurisdiction(r.Context(), by(r), in)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, admin.ToJSON(j))
}

// apiJurisdictionUpdate changes a jurisdiction: the members sent replace
// the settings, the others keep theirs.
func (s *Server) apiJurisdictionUpdate(w http.ResponseWriter, r *http.Request) error {
	in, err := s.admin().EditJurisdiction(r.Context(), by(r), r.PathValue("code"))
	if err != nil {
		return err
	}
	in.Version = ""
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	j, err := s.admin().UpdateJurisdiction(r.Context(), by(r), r.PathValue("code"), in)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, admin.ToJSON(j))
}

// apiAgencies lists the agencies.
func (s *Server) apiAgencies(w http.ResponseWriter, r *http.Request) error {
	as, err := s.admin().Agencies(r.Context(), by(r))
	if err != nil {
		return err
	}
	out := make([]admin.AgencyJSON, len(as))
	for i, a := range as {
		out[i] = admin.AgencyToJSON(a)
	}
	return writeJSON(w, http.StatusOK, map[string]any{"agencies": out})
}

// apiAgencyCreate adds an agency.
func (s *Server) apiAgencyCreate(w http.ResponseWriter, r *http.Request) error {
	var in admin.AgencyInput
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	a, err := s.admin().AddAgency(r.Context(), by(r), in)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, admin.AgencyToJSON(a))
}

// apiAgencyUpdate changes an agency; members left out keep their value.
func (s *Server) apiAgencyUpdate(w http.ResponseWriter, r *http.Request) error {
	var in admin.AgencyInput
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	a, err := s.admin().UpdateAgency(r.Context(), by(r), r.PathValue("id"), in)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, admin.AgencyToJSON(a))
}

// apiUserInvite invites a person; the one-time link is in the answer only
// when it was not e-mailed, and only this once.
func (s *Server) apiUserInvite(w http.ResponseWriter, r *http.Request) error {
	var in admin.InviteInput
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	is, err := s.admin().InviteAndDeliver(r.Context(), by(r), in)
	if err != nil {
		return err
	}
	return s.writeIssued(w, r, http.StatusCreated, is)
}

// writeIssued answers with an account and its one-time link, the link's
// address only when it was not e-mailed; never stored by a cache.
func (s *Server) writeIssued(w http.ResponseWriter, r *http.Request, status int, is admin.Issued) error {
	body := map[string]any{"user_id": is.User.ID, "username": is.User.Username, "role": is.User.Role, "agency_id": is.User.AgencyID,
		"delivery": is.Link.Delivery, "expires_at": is.Link.ExpiresAt.UTC().Format("2006-01-02T15:04:05Z07:00")}
	if is.Link.Delivery == accounts.DeliveryShown {
		body["link"] = is.Link.URL(s.baseURL(r))
	}
	w.Header().Set("Cache-Control", "no-store")
	return writeJSON(w, status, body)
}

// apiUsers lists the accounts the reader administers (admin.Accounts):
// what the users page shows, without anything secret.
func (s *Server) apiUsers(w http.ResponseWriter, r *http.Request) error {
	acc, err := s.admin().Accounts(r.Context(), by(r))
	if err != nil {
		return err
	}
	out := make([]map[string]any, len(acc.Users))
	for i, u := range acc.Users {
		out[i] = map[string]any{"user_id": u.ID, "username": u.Username, "display_name": u.DisplayName, "role": u.Role, "agency_id": u.AgencyID,
			"agency": u.Agency, "disabled": u.Disabled, "invited": u.Invited, "mfa": u.MFA, "manage": u.Manage}
	}
	return writeJSON(w, http.StatusOK, map[string]any{"users": out})
}

// apiUserRole changes an account's role: {"role": "…"}. Another agency's
// account answers 404, as on the page.
func (s *Server) apiUserRole(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Role string `json:"role"`
	}
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	if err := s.admin().SetRole(r.Context(), by(r), r.PathValue("id"), in.Role); err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"user_id": r.PathValue("id"), "role": in.Role})
}

// emptyObject reads the body of an action that takes no member: an empty
// JSON object, as every API write has a JSON body (a missing or other
// body is refused, unknown members too).
func emptyObject(r *http.Request) error {
	var in struct{}
	return decodeJSON(r, &in)
}

// apiUserDisable and apiUserEnable disable and re-enable an account.
func (s *Server) apiUserDisable(w http.ResponseWriter, r *http.Request) error {
	return s.apiUserDisabled(w, r, true)
}

func (s *Server) apiUserEnable(w http.ResponseWriter, r *http.Request) error {
	return s.apiUserDisabled(w, r, false)
}

func (s *Server) apiUserDisabled(w http.ResponseWriter, r *http.Request, disabled bool) error {
	if err := emptyObject(r); err != nil {
		return err
	}
	if err := s.admin().SetDisabled(r.Context(), by(r), r.PathValue("id"), disabled); err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"user_id": r.PathValue("id"), "disabled": disabled})
}

// apiUserResetMFA removes an account's second factor and issues a new
// one-time link: in the answer only when it was not e-mailed.
func (s *Server) apiUserResetMFA(w http.ResponseWriter, r *http.Request) error {
	if err := emptyObject(r); err != nil {
		return err
	}
	is, err := s.admin().ResetAndDeliver(r.Context(), by(r), r.PathValue("id"))
	if err != nil {
		return err
	}
	return s.writeIssued(w, r, http.StatusOK, is)
}
