package web

import (
	"net/http"

	"github.com/haven-nrm/haven/internal/accounts"
)

// This file holds what the sign-in pages share: the cookies of a request as the account service
// takes them (accounts.Client). The use cases are the account service's.

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
