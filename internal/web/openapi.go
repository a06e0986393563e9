package web

import (
	"net/http"
)

// openAPI serves the OpenAPI 3 description of /api/v1. The document is
// written by hand in static/openapi.json and a test checks it against the
// route table: every API route is described, with the fields its command
// takes, and nothing else is.
func (s *Server) openAPI(w http.ResponseWriter, r *http.Request) error {
	b, err := assets.ReadFile("static/openapi.json")
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-cache")
	_, err = w.Write(b)
	return err
}
