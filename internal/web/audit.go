package web

import (
	"net/http"

	"github.com/haven-nrm/haven/internal/accounts"
	"github.com/haven-nrm/haven/internal/audit"
)

type auditPage struct {
	Events []audit.Event
	Filter accounts.AuditFilter
	From   string
	To     string
	Users  map[string]string
}

// adminAudit lets administrators see who did what to which record when
// (accounts.AuditLog: agency administrators see their own staff's events
// and every event on their agency's records); the view itself is audited.
func (s *Server) adminAudit(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	in := accounts.AuditQuery{Actor: q.Get("actor"), Action: q.Get("action"), Object: q.Get("object"), BreakGlassOnly: q.Get("breakglass") == "1",
		From: q.Get("from"), To: q.Get("to"), Before: q.Get("before")}
	log, err := s.accounts.AuditLog(r.Context(), principal(r), in)
	if err != nil {
		return err
	}
	d := auditPage{Events: log.Events, Filter: log.Filter, From: in.From, To: in.To, Users: log.Users}
	return s.render(w, http.StatusOK, "audit", s.newPage(r, "admin.audit", "admin", d))
}
