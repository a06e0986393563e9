package web

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"

	"github.com/haven-nrm/haven/internal/errs"
	"github.com/haven-nrm/haven/internal/trmsvc"
)

// errNoTRM answers the TRM's routes on an instance without a country: as
// if they did not exist.
var errNoTRM = &errs.Error{Kind: errs.NotFound, Key: "error.not_found", Err: errors.New("the TRM is not enabled")}

// wellKnown publishes the instance's signed federation document: GET
// /.well-known/haven-trm (docs/TRM.md).
func (s *Server) wellKnown(w http.ResponseWriter, r *http.Request) error {
	if s.Services.TRM == nil {
		return errNoTRM
	}
	d, err := s.Services.TRM.Document()
	if err != nil {
		return err
	}
	// Not writeJSON: its indentation would change the body's bytes, which
	// are what the signature covers.
	b, err := json.Marshal(d)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	_, err = w.Write(b)
	return err
}

// federationInbox takes an envelope from a peer instance: POST
// /federation/v1/inbox. The envelope's signature, not a session, says who
// sent it; the answer is the signed receipt (or, to a private set
// intersection question, the signed answer).
func (s *Server) federationInbox(w http.ResponseWriter, r *http.Request) error {
	if s.Services.TRM == nil {
		return errNoTRM
	}
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		return errs.Field("content_type", "error.bad_request", errors.New("Content-Type must be application/json"))
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, trmsvc.MaxEnvelope+1))
	if err != nil {
		var maxErr *http.MaxBytesError
		if errors.As(err, &maxErr) {
			return errTooLarge
		}
		return errs.Field("body", "error.bad_request", err)
	}
	rc, err := s.Services.TRM.Receive(r.Context(), body)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(http.StatusOK)
	_, err = w.Write(rc)
	return err
}
