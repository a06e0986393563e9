package web

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/haven-nrm/haven/internal/access"
	"github.com/haven-nrm/haven/internal/errs"
	"github.com/haven-nrm/haven/internal/trm"
	"github.com/haven-nrm/haven/internal/trmsvc"
)

// trmErrors are the refusals the TRM pages explain (trm.error.<code>); a
// code outside the list in a URL shows nothing.
var trmErrors = map[string]bool{
	"unknown_purpose": true, "purpose_not_agreed": true, "no_consent": true, "no_guardian_consent": true, "no_best_interests": true,
	"override_reason_required": true, "bad_value": true, "unknown_status": true, "status_out_of_order": true, "unknown_step": true,
	"wrong_country": true, "step_prerequisite": true, "step_done": true, "decline_reason_required": true, "nothing_to_send": true,
	"country": true, "peer": true, "peer_suspended": true, "psi_basis": true, "psi_no_identity": true, "unknown_field": true,
}

// trmBack answers a TRM form: back to its page, with the refusal's code
// when the rules refused it, else the error for the adapter.
func trmBack(w http.ResponseWriter, r *http.Request, page string, err error, ok url.Values) error {
	if err != nil {
		var e *errs.Error
		if errors.As(err, &e) && e.Kind == errs.Invalid && strings.HasPrefix(e.Key, "trm.error.") {
			http.Redirect(w, r, page+"?error="+url.QueryEscape(strings.TrimPrefix(e.Key, "trm.error."))+"#trm-error", http.StatusSeeOther)
			return nil
		}
		return err
	}
	q := ""
	if len(ok) > 0 {
		q = "?" + ok.Encode()
	}
	http.Redirect(w, r, page+q, http.StatusSeeOther)
	return nil
}

func (s *Server) trmService() (*trmsvc.Service, error) {
	if s.Services.TRM == nil {
		return nil, errNoTRM
	}
	return s.Services.TRM, nil
}

type trmPage struct {
	Data  any
	Error string
	// PSI is the result of a cross-border match just asked: match or
	// no_match.
	PSI string
	// Reasons are the coded reasons a package may be declined for.
	Reasons []string
	// Fields are a received package's fields, named and translated.
	Fields []trmFieldRow
}

func trmPageOf(r *http.Request, data any) trmPage {
	p := trmPage{Data: data}
	if c := r.URL.Query().Get("error"); trmErrors[c] {
		p.Error = "trm.error." + c
	}
	if v := r.URL.Query().Get("psi"); v == "match" || v == "no_match" {
		p.PSI = v
	}
	return p
}

// trmRequest gathers what every TRM handler starts with: the service, the
// path's id when the route has one (a malformed id is not found) and, for a
// POST, the parsed form.
func (s *Server) trmRequest(r *http.Request, withID bool) (*trmsvc.Service, string, url.Values, error) {
	t, err := s.trmService()
	if err != nil {
		return nil, "", nil, err
	}
	id := ""
	if withID {
		if id = r.PathValue("id"); !isID(id) {
			return nil, "", nil, errNotFound
		}
	}
	if r.Method == http.MethodPost {
		if err := r.ParseForm(); err != nil {
			return nil, "", nil, errs.Wrap(errs.Invalid, err)
		}
	}
	return t, id, r.PostForm, nil
}

// trmOverview is the competent authority's cross-border page: GET /trm.
func (s *Server) trmOverview(w http.ResponseWriter, r *http.Request) error {
	return trmShow(s, w, r, (*trmsvc.Service).Overview, "trm", "trm.title", "trm")
}

// trmShow shows a cross-border page that reads the service with the
// reader's rights alone (no id in the path).
func trmShow[V any](s *Server, w http.ResponseWriter, r *http.Request, read func(*trmsvc.Service, context.Context, access.Principal) (V, error),
	name, title, nav string) error {
	t, _, _, err := s.trmRequest(r, false)
	if err != nil {
		return err
	}
	v, err := read(t, r.Context(), principal(r))
	if err != nil {
		return err
	}
	return s.render(w, http.StatusOK, name, s.newPage(r, title, nav, trmPageOf(r, v)))
}

// trmTransfer shows one received package, opened for the deciding
// authority (the read is audited): GET /trm/{id}.
func (s *Server) trmTransfer(w http.ResponseWriter, r *http.Request) error {
	t, id, _, err := s.trmRequest(r, true)
	if err != nil {
		return err
	}
	v, err := t.OpenTransfer(r.Context(), principal(r), id)
	if err != nil {
		return err
	}
	page := trmPageOf(r, v)
	page.Reasons = trm.DeclineReasons
	page.Fields = trmFieldRows(s.localizer(r), v.Package)
	return s.render(w, http.StatusOK, "trm_transfer", s.newPage(r, "trm.package", "trm", page))
}

// trmDecide accepts or declines a received package: POST /trm/{id}/decide.
func (s *Server) trmDecide(w http.ResponseWriter, r *http.Request) error {
	t, id, f, err := s.trmRequest(r, true)
	if err != nil {
		return err
	}
	in := trmsvc.DecideInput{Accept: f.Get("decision") == "accept", Reason: f.Get("reason")}
	if d := f.Get("decision"); d != "accept" && d != "decline" {
		return trmBack(w, r, "/trm/"+id, errs.Field("decision", "trm.error.bad_value", nil), nil)
	}
	caseID, err := t.Decide(r.Context(), principal(r), id, in)
	if err == nil && caseID != "" {
		http.Redirect(w, r, "/cases/"+caseID, http.StatusSeeOther)
		return nil
	}
	return trmBack(w, r, "/trm/"+id, err, nil)
}

// caseTRM is a case's cross-border page: consent, sending, the SOP
// checklists and the case's transfers: GET /cases/{id}/trm.
func (s *Server) caseTRM(w http.ResponseWriter, r *http.Request) error {
	t, id, _, err := s.trmRequest(r, true)
	if err != nil {
		return err
	}
	v, err := t.Case(r.Context(), principal(r), id)
	if err != nil {
		return err
	}
	return s.render(w, http.StatusOK, "case_trm", s.newPage(r, "trm.case_title", "cases", trmPageOf(r, v)))
}

// caseTRMConsent records consent to a transfer, its withdrawal (which
// sends a deletion request) or a child's best-interests determination:
// POST /cases/{id}/trm/consent.
func (s *Server) caseTRMConsent(w http.ResponseWriter, r *http.Request) error {
	t, id, f, err := s.trmRequest(r, true)
	if err != nil {
		return err
	}
	in := trmsvc.ConsentInput{Purpose: f.Get("purpose"), Country: strings.ToUpper(strings.TrimSpace(f.Get("country"))),
		Given: f.Get("action") == "given", ByGuardian: f.Get("by_guardian") == "true", BestInterests: f.Get("action") == "best_interests"}
	if a := f.Get("action"); a != "given" && a != "withdrawn" && a != "best_interests" {
		return trmBack(w, r, "/cases/"+id+"/trm", errs.Field("action", "trm.error.bad_value", nil), nil)
	}
	return trmBack(w, r, "/cases/"+id+"/trm", t.RecordConsent(r.Context(), principal(r), id, in), nil)
}

// caseTRMSend sends the case to a peer for a purpose: POST
// /cases/{id}/trm/send.
func (s *Server) caseTRMSend(w http.ResponseWriter, r *http.Request) error {
	t, id, f, err := s.trmRequest(r, true)
	if err != nil {
		return err
	}
	_, err = t.Send(r.Context(), principal(r), id, trmsvc.SendInput{Peer: f.Get("peer"), Purpose: f.Get("purpose"), OverrideReason: f.Get("override_reason")})
	return trmBack(w, r, "/cases/"+id+"/trm", err, nil)
}

// caseTRMStep records an SOP step: POST /cases/{id}/trm/step.
func (s *Server) caseTRMStep(w http.ResponseWriter, r *http.Request) error {
	t, id, f, err := s.trmRequest(r, true)
	if err != nil {
		return err
	}
	err = t.RecordStep(r.Context(), principal(r), id, trmsvc.StepInput{SOP: f.Get("sop"), Step: f.Get("step")})
	return trmBack(w, r, "/cases/"+id+"/trm", err, nil)
}

// caseTRMPSI asks a peer whether the person was identified there: POST
// /cases/{id}/trm/psi. Only the match bit comes back.
func (s *Server) caseTRMPSI(w http.ResponseWriter, r *http.Request) error {
	t, id, f, err := s.trmRequest(r, true)
	if err != nil {
		return err
	}
	m, err := t.AskPSI(r.Context(), principal(r), id, trmsvc.PSIInput{Peer: f.Get("peer"), Basis: f.Get("basis")})
	res := "no_match"
	if m {
		res = "match"
	}
	return trmBack(w, r, "/cases/"+id+"/trm", err, url.Values{"psi": {res}})
}

// adminPeers lists the peer instances and this instance's fingerprint:
// GET /admin/peers. Peers are added with haven peer add, where the
// fingerprint is compared.
func (s *Server) adminPeers(w http.ResponseWriter, r *http.Request) error {
	return trmShow(s, w, r, (*trmsvc.Service).PeerAdmin, "peers", "peer.title", "admin")
}

// adminPeerStatus suspends, resumes or removes a peer: POST
// /admin/peers/{id}/status.
func (s *Server) adminPeerStatus(w http.ResponseWriter, r *http.Request) error {
	t, id, f, err := s.trmRequest(r, true)
	if err != nil {
		return err
	}
	if err := t.SetPeerStatusAs(r.Context(), principal(r), id, f.Get("status")); err != nil {
		return err
	}
	http.Redirect(w, r, "/admin/peers", http.StatusSeeOther)
	return nil
}
