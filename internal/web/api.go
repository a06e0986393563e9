package web

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"

	"github.com/haven-nrm/haven/internal/errs"
	"github.com/haven-nrm/haven/internal/intake"
	"github.com/haven-nrm/haven/internal/screening"
)

// maxAPIBody bounds JSON request bodies.
const maxAPIBody = 256 << 10

// decodeJSON reads one JSON object strictly: unknown fields and trailing
// data are errors.
func decodeJSON(r *http.Request, v any) error {
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		return errs.Field("content_type", "error.bad_request", errors.New("Content-Type must be application/json"))
	}
	dec := json.NewDecoder(io.LimitReader(r.Body, maxAPIBody+1))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var maxErr *http.MaxBytesError
		if errors.As(err, &maxErr) {
			return errTooLarge
		}
		return errs.Field("body", "error.bad_request", err)
	}
	if dec.More() {
		return errs.Field("body", "error.bad_request", errors.New("trailing data after the JSON object"))
	}
	return nil
}

// writeAttachment answers b as a file to download under the given name.
func writeAttachment(w http.ResponseWriter, contentType, name string, b []byte) error {
	w.Header().Set("Content-Type", contentType)
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`"`)
	_, err := w.Write(b)
	return err
}

func writeJSON(w http.ResponseWriter, status int, v any) error {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// apiScreening screens one case: POST /api/v1/screenings with the same JSON
// that `haven screen` reads. Nothing is stored.
func (s *Server) apiScreening(w http.ResponseWriter, r *http.Request) error {
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		return errs.Field("content_type", "error.bad_request", errors.New("Content-Type must be application/json"))
	}
	c, err := screening.DecodeCase(r.Body)
	if err != nil {
		return screeningInputError(err)
	}
	opts := screening.Options{Jurisdiction: r.URL.Query().Get("jurisdiction"), ProfileID: r.URL.Query().Get("profile")}
	if opts.Jurisdiction == "" {
		if j, err := s.cases.Jurisdiction(r.Context(), principal(r).JurisdictionID); err == nil {
			opts.Jurisdiction = j.Country
		}
	}
	res, err := s.Services.Screening.Screen(c, opts)
	if err != nil {
		return screeningInputError(err)
	}
	return writeJSON(w, http.StatusOK, res)
}

func screeningInputError(err error) error {
	var ie *screening.InputError
	if errors.As(err, &ie) {
		return errs.Field(ie.Field, "error.bad_request", err)
	}
	var maxErr *http.MaxBytesError
	if errors.As(err, &maxErr) {
		return errTooLarge
	}
	return errs.Wrap(errs.Invalid, err)
}

// apiReferralCreate stores a referral: POST /api/v1/referrals. An
// Idempotency-Key header makes retries safe: the same key returns the
// first referral instead of creating another.
func (s *Server) apiReferralCreate(w http.ResponseWriter, r *http.Request) error {
	var ref intake.Referral
	if err := decodeJSON(r, &ref); err != nil {
		return err
	}
	out, err := s.referrals().Submit(r.Context(), s.by(r), ref, r.Header.Get("Idempotency-Key"))
	if err != nil {
		var ie intake.Errors
		if errors.As(err, &ie) {
			fields := make([]map[string]string, len(ie))
			L := s.localizer(r)
			for i, f := range ie {
				fields[i] = map[string]string{"field": f.Field, "message": L.T(f.Key), "code": f.Code}
			}
			return writeJSON(w, http.StatusUnprocessableEntity, map[string]any{"error": map[string]any{
				"code": "invalid", "message": L.T("intake.error.summary"), "request_id": requestInfoFrom(r.Context()).id, "fields": fields}})
		}
		return err
	}
	status := http.StatusCreated
	if out.Replayed {
		status = http.StatusOK
	}
	body := map[string]any{"id": out.Referral.ID, "reference": out.Referral.Reference, "kind": out.Referral.Kind,
		"status": out.Referral.Status, "urgent": out.Referral.Urgent, "child": out.Referral.Child,
		"classification": out.Referral.Classification, "replayed": out.Replayed}
	if out.Referral.CaseID != "" {
		body["case_id"] = out.Referral.CaseID
	}
	return writeJSON(w, status, body)
}
