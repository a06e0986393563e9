package web

import (
	"encoding/json"
	"net/http"
)

// apiMe tells an API client whose rights it acts with (the owner of its
// token, or the signed-in user).
func (s *Server) apiMe(w http.ResponseWriter, r *http.Request) error {
	u := currentUser(r)
	if u == nil {
		return errUnauthenticated
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	return json.NewEncoder(w).Encode(map[string]string{"id": u.ID, "username": u.Username, "role": u.Role, "agency_id": u.AgencyID})
}
