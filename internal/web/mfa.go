package web

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/haven-nrm/haven/internal/access"
	"github.com/haven-nrm/haven/internal/accounts"
)

// This file holds what the sign-in pages share: which roles need a second
// factor (a setting), and the cookies of a request as the account service
// takes them (accounts.Client). The use cases are the account service's.

// defaultMFARoles are the roles that see identifying data: all but the
// analyst, who sees aggregates only.
func defaultMFARoles() map[access.Role]bool {
	m := map[access.Role]bool{}
	for _, r := range access.Roles {
		if r != access.Analyst {
			m[r] = true
		}
	}
	return m
}

// parseMFARoles reads the HAVEN_MFA_ROLES setting: a comma list of roles,
// empty for the default, "none" for no role.
func parseMFARoles(list string) (map[access.Role]bool, error) {
	list = strings.TrimSpace(list)
	switch list {
	case "":
		return defaultMFARoles(), nil
	case "none":
		return map[access.Role]bool{}, nil
	}
	m := map[access.Role]bool{}
	for _, f := range strings.Split(list, ",") {
		r := access.Role(strings.TrimSpace(f))
		if !r.Valid() {
			return nil, fmt.Errorf("HAVEN_MFA_ROLES: %q is not a role", string(r))
		}
		m[r] = true
	}
	return m, nil
}

// mfaRequired reports whether users of role must sign in with a second
// factor.
func (s *Server) mfaRequired(role access.Role) bool {
	if s.Config.MFAOptional {
		return false
	}
	roles, err := parseMFARoles(s.Config.MFARoles)
	if err != nil {
		// New refuses a bad setting; should one slip through, the
		// safe reading is that everyone needs a second factor.
		return true
	}
	return roles[role]
}

// deviceCookie recognises a browser where an account completed a sign-in
// (see the account service's throttling): a random nonce and a keyed hash
// of the nonce and the account name. It names no one, lasts
// accounts.DeviceLife and is renewed at every sign-in.
const deviceCookie = "haven_device"

// client is what the request tells the account service about its sender:
// the client's address and the device and session cookies as sent.
func (s *Server) client(r *http.Request) accounts.Client {
	c := accounts.Client{Address: s.clientIP(r)}
	if d, err := r.Cookie(deviceCookie); err == nil {
		c.Device = d.Value
	}
	if sc, err := r.Cookie(sessionCookie); err == nil {
		c.Session = sc.Value
	}
	return c
}

// rememberDevice sets the device cookie the account service made after a
// complete sign-in ("" sets nothing).
func (s *Server) rememberDevice(w http.ResponseWriter, value string) {
	if value == "" {
		return
	}
	http.SetCookie(w, &http.Cookie{Name: deviceCookie, Value: value, Path: "/", HttpOnly: true,
		Secure: s.Config.SecureCookies(), SameSite: http.SameSiteStrictMode, MaxAge: int(accounts.DeviceLife.Seconds())})
}
