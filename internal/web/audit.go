package web

import (
	"net/http"
	"strconv"
	"time"

	"github.com/haven-nrm/haven/internal/access"
	"github.com/haven-nrm/haven/internal/audit"
	"github.com/haven-nrm/haven/internal/errs"
	"github.com/haven-nrm/haven/internal/store"
)

// event builds an audit event for the acting principal.
func (s *Server) event(r *http.Request, action, objectType, objectID string, details map[string]string) audit.Event {
	p := principal(r)
	return audit.Event{Actor: p.UserID, Action: action, ObjectType: objectType, ObjectID: objectID, Agency: p.AgencyID, Details: details}
}

type auditPage struct {
	Events []audit.Event
	Filter store.AuditFilter
	From   string
	To     string
	Users  map[string]string
}

// adminAudit lets administrators see who did what to which record when.
// Agency administrators see their own staff's events and every event on
// their agency's records, whoever made it (break-glass access by another
// agency among them); the view itself is audited.
func (s *Server) adminAudit(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	f := store.AuditFilter{Actor: q.Get("actor"), Action: q.Get("action"), ObjectID: q.Get("object"), BreakGlassOnly: q.Get("breakglass") == "1", Limit: 100}
	for _, v := range []string{f.Actor, f.Action, f.ObjectID} {
		if v != "" && !audit.IsToken(v) {
			return errs.Field("filter", "error.bad_request", errs.E(errs.Invalid, "filter values are ids or codes"))
		}
	}
	var from, to string
	if v := q.Get("from"); v != "" {
		t, err := time.Parse("2006-01-02", v)
		if err != nil {
			return errs.Field("from", "error.bad_request", err)
		}
		f.FromMillis, from = store.Millis(t), v
	}
	if v := q.Get("to"); v != "" {
		t, err := time.Parse("2006-01-02", v)
		if err != nil {
			return errs.Field("to", "error.bad_request", err)
		}
		f.ToMillis, to = store.Millis(t.Add(24*time.Hour)), v
	}
	if v := q.Get("before"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 0 {
			return errs.Field("before", "error.bad_request", errs.E(errs.Invalid, "bad cursor"))
		}
		f.BeforeSeq = n
	}
	p := principal(r)
	if p.Role == access.AgencyAdmin {
		f.Agency = p.AgencyID
	}
	var events []audit.Event
	err := s.DB.Write(r.Context(), func(tx *store.Tx) error {
		var err error
		if events, err = s.DB.AuditEvents(r.Context(), f); err != nil {
			return err
		}
		return tx.Audit(r.Context(), s.event(r, "audit.view", "", "", nil))
	})
	if err != nil {
		return err
	}
	users := map[string]string{}
	if us, err := s.DB.Users(r.Context()); err == nil {
		for _, u := range us {
			users[u.ID] = u.Username
		}
	}
	return s.render(w, http.StatusOK, "audit", s.newPage(r, "admin.audit", "admin", auditPage{Events: events, Filter: f, From: from, To: to, Users: users}))
}
