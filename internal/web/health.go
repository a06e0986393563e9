package web

import (
	"context"
	"encoding/json"
	"net/http"
	"time"
)

// healthz answers while the process runs: liveness.
func (s *Server) healthz(w http.ResponseWriter, r *http.Request) error {
	w.Header().Set("Content-Type", "application/json")
	return json.NewEncoder(w).Encode(map[string]string{"status": "ok", "version": s.Version})
}

// readyz answers 200 only when the database is reachable, at the schema
// version this binary expects, and has not refused a write for want of space
// in the last half minute: readiness for a load balancer.
func (s *Server) readyz(w http.ResponseWriter, r *http.Request) error {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	status, code := s.accounts.Readiness(ctx), http.StatusOK
	if status != "ready" {
		code = http.StatusServiceUnavailable
		w.Header().Set("Retry-After", "5")
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	return json.NewEncoder(w).Encode(map[string]string{"status": status})
}

// apiRoot describes the JSON API.
func (s *Server) apiRoot(w http.ResponseWriter, r *http.Request) error {
	if r.URL.Path != "/api/v1/" {
		return errNotFound
	}
	w.Header().Set("Content-Type", "application/json")
	return json.NewEncoder(w).Encode(map[string]any{"name": "haven", "api": "v1", "version": s.Version})
}
