package web

import (
	"net/http"
	"time"

	"github.com/haven-nrm/haven/internal/access"
	"github.com/haven-nrm/haven/internal/casework"
	"github.com/haven-nrm/haven/internal/i18n"
	"github.com/haven-nrm/haven/internal/intake"
	"github.com/haven-nrm/haven/internal/people"
	"github.com/haven-nrm/haven/internal/store"
)

// letterData is a decision letter: written in the person's language when
// Haven has it (LL), else in the reader's with a note that an interpreter
// must read it to the person.
type letterData struct {
	LL          *i18n.Localizer
	Translated  bool
	Language    string
	Case        store.Case
	Record      casework.Record
	PeriodEnd   time.Time
	UntilCG     bool
	Identity    *intake.Identity
	Date        time.Time
	Authority   string
	Reconsider  bool
	Positive    bool
	HasCG       bool
	CGPositive  bool
	CGOutcome   string
	RGPositive  bool
	RGDecidedAt time.Time
}

// letter renders the decision letter to the person: the decisions taken,
// what they mean for the person (the recovery period, protection from
// removal, support whatever they decide about proceedings), and how to ask
// for reconsideration. Opening it is audited.
func (s *Server) letter(w http.ResponseWriter, r *http.Request) error {
	c, res, _, err := s.caseAccess(r, access.ViewLetter)
	if err != nil {
		return err
	}
	d, err := s.nrm.Load(r.Context(), s.DB.R(), c)
	if err != nil {
		return err
	}
	rec := d.Record
	if !letterReady(rec) {
		return errNotFound
	}
	ld := letterData{Case: c, Record: rec, Date: s.Now(), Language: c.LetterLanguage,
		RGPositive: rec.ReasonableGrounds.Positive, RGDecidedAt: rec.ReasonableGrounds.At,
		HasCG: rec.Conclusive.Outcome != "" && !rec.Conclusive.EffectiveAt.IsZero(), CGPositive: rec.Conclusive.Positive, CGOutcome: rec.Conclusive.Outcome,
		Reconsider: rec.State == casework.StateRGNegative || rec.State == casework.StateCGNegative}
	ld.PeriodEnd, ld.UntilCG = casework.PeriodEnd(rec)
	if s.I18n.Supported(c.LetterLanguage) {
		ld.LL, ld.Translated = s.I18n.Localizer(c.LetterLanguage), true
	} else {
		ld.LL = s.localizer(r)
	}
	ld.LL = ld.LL.In(d.Country.Calendar.Location())
	if a, err := s.DB.Agency(r.Context(), c.AgencyID); err == nil {
		ld.Authority = a.Name
	}
	if c.PersonID != "" && access.Allowed(access.ViewCaseIdentity, principal(r), res) {
		p, err := s.DB.Person(r.Context(), c.PersonID)
		if err != nil {
			return err
		}
		if !p.Erased {
			id, err := people.Open(s.Keys, p)
			if err != nil {
				return err
			}
			ld.Identity = &id
		}
	}
	if err := s.DB.Write(r.Context(), func(tx *store.Tx) error {
		return tx.Audit(r.Context(), s.event(r, "case.letter", "case", c.ID, map[string]string{"language": ld.LL.Tag()}))
	}); err != nil {
		return err
	}
	return s.render(w, http.StatusOK, "letter", s.newPage(r, "letter.title", "cases", ld))
}

// letterReady reports whether a decision has taken effect that a letter
// can tell the person about: a negative reasonable-grounds decision still
// awaiting its review has not.
func letterReady(rec casework.Record) bool {
	rg := rec.ReasonableGrounds.Outcome != "" && rec.State != casework.StateRGNegativePendingReview
	return rg || rec.Conclusive.Outcome != ""
}
