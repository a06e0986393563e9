package web

import (
	"net/http"

	"github.com/haven-nrm/haven/internal/access"
	"github.com/haven-nrm/haven/internal/audit"
	"github.com/haven-nrm/haven/internal/intake"
	"github.com/haven-nrm/haven/internal/people"
	"github.com/haven-nrm/haven/internal/store"
)

// caseList shows the coded case list of the principal's scope.
func (s *Server) caseList(w http.ResponseWriter, r *http.Request) error {
	agencyID, jurisdictionID := access.CaseListScope(principal(r))
	cs, err := s.DB.Cases(r.Context(), store.CaseFilter{AgencyID: agencyID, JurisdictionID: jurisdictionID, Limit: 50})
	if err != nil {
		return err
	}
	return s.render(w, http.StatusOK, "cases", s.newPage(r, "nav.cases", "cases", cs))
}

type caseView struct {
	Case       store.Case
	Identity   *intake.Identity
	Erased     bool
	Matches    []store.PersonMatch
	ShowDupes  bool
	BreakGlass bool
}

// loadCaseInScope loads a case and decides access, honouring a live
// break-glass grant. Out of scope looks the same as absent.
func (s *Server) loadCaseInScope(r *http.Request, action access.Action) (store.Case, access.Decision, string, error) {
	id := r.PathValue("id")
	if !isID(id) {
		return store.Case{}, access.Decision{}, "", errNotFound
	}
	c, err := s.DB.Case(r.Context(), id)
	if err != nil {
		return c, access.Decision{}, "", err
	}
	p := principal(r)
	grant, err := s.DB.LiveBreakGlass(r.Context(), p.UserID, c.ID, store.Millis(s.Now()))
	if err != nil {
		return c, access.Decision{}, "", err
	}
	d := access.Decide(action, p, access.Resource{AgencyID: c.AgencyID, JurisdictionID: c.JurisdictionID, BreakGlass: grant != ""})
	if !d.Allow {
		return c, d, "", errCaseNotAvailable
	}
	return c, d, grant, nil
}

// caseShow shows one case: coded facts to everyone in scope, identifying
// data to the roles that may see it, possible duplicates to the authority.
// Every view is audited before it is shown.
func (s *Server) caseShow(w http.ResponseWriter, r *http.Request) error {
	c, d, grant, err := s.loadCaseInScope(r, access.ViewCaseSummary)
	if err != nil {
		return err
	}
	p := principal(r)
	res := access.Resource{AgencyID: c.AgencyID, JurisdictionID: c.JurisdictionID, BreakGlass: grant != ""}
	view := caseView{Case: c, BreakGlass: d.Reason == "break_glass"}
	var person store.SealedPerson
	showIdentity := c.PersonID != "" && access.Allowed(access.ViewCaseIdentity, p, res)
	if showIdentity {
		if person, err = s.DB.Person(r.Context(), c.PersonID); err != nil {
			return err
		}
		if person.Erased {
			view.Erased = true
		} else {
			id, err := people.Open(s.Keys, person)
			if err != nil {
				return err
			}
			view.Identity = &id
		}
	}
	if c.PersonID != "" && !person.Erased && access.Allowed(access.ViewDuplicates, p, res) && !view.BreakGlass {
		tokens, err := s.DB.PersonTokens(r.Context(), c.PersonID)
		if err != nil {
			return err
		}
		if view.Matches, err = s.DB.MatchPersons(r.Context(), c.PersonID, tokens); err != nil {
			return err
		}
		view.ShowDupes = true
	}
	err = s.DB.Write(r.Context(), func(tx *store.Tx) error {
		ev := s.event(r, "case.view", "case", c.ID, nil)
		if view.BreakGlass {
			ev.Flags, ev.Reason = audit.FlagBreakGlass, grant
		}
		if err := tx.Audit(r.Context(), ev); err != nil {
			return err
		}
		if view.Identity != nil {
			ev = s.event(r, "person.view", "person", c.PersonID, map[string]string{"case": c.ID})
			if view.BreakGlass {
				ev.Flags, ev.Reason = audit.FlagBreakGlass, grant
			}
			return tx.Audit(r.Context(), ev)
		}
		return nil
	})
	if err != nil {
		return err
	}
	return s.render(w, http.StatusOK, "case", s.newPage(r, "case.title", "cases", view))
}
