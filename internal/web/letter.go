package web

import (
	"net/http"
	"strings"
	"time"

	"github.com/haven-nrm/haven/internal/cases"
	"github.com/haven-nrm/haven/internal/casework"
	"github.com/haven-nrm/haven/internal/i18n"
)

// letterData is a decision letter: written in the person's language when
// Haven has it (LL), else in the reader's with a note that an interpreter
// must read it to the person. It renders the case's read model.
type letterData struct {
	*cases.View
	LL          *i18n.Localizer
	Translated  bool
	Language    string
	Record      casework.Record
	PeriodEnd   time.Time
	UntilCG     bool
	Date        time.Time
	Authority   string
	Reconsider  bool
	Positive    bool
	HasCG       bool
	CGPositive  bool
	CGOutcome   string
	RGPositive  bool
	RGDecidedAt time.Time
	// Letterhead and Signature are the configured lines printed at the
	// letter's head and foot.
	Letterhead, Signature []string
}

// letterLines splits a configured block into its lines.
func letterLines(s string) []string {
	var out []string
	for _, l := range strings.Split(s, "|") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

// letter renders the decision letter to the person: the decisions taken,
// what they mean for the person (the recovery period, protection from
// removal, support whatever they decide about proceedings), and how to ask
// for reconsideration. Opening it is audited.
func (s *Server) letter(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	if !isID(id) {
		return errNotFound
	}
	reader := s.localizer(r).Tag()
	v, err := s.cases.View(r.Context(), principal(r), id, cases.Via{Route: cases.RouteLetter, LetterLanguage: func(lang string) string {
		if s.I18n.Supported(lang) {
			return s.I18n.Localizer(lang).Tag()
		}
		return reader
	}})
	if err != nil {
		return err
	}
	c, rec := v.Case, v.D.Record
	ld := letterData{View: v, Record: rec, Date: s.Now(), Language: c.LetterLanguage,
		RGPositive: rec.ReasonableGrounds.Positive, RGDecidedAt: rec.ReasonableGrounds.At,
		HasCG: rec.Conclusive.Outcome != "" && !rec.Conclusive.EffectiveAt.IsZero(), CGPositive: rec.Conclusive.Positive, CGOutcome: rec.Conclusive.Outcome,
		Reconsider: rec.State == casework.StateRGNegative || rec.State == casework.StateCGNegative}
	ld.PeriodEnd, ld.UntilCG = casework.PeriodEnd(rec)
	if s.I18n.Supported(c.LetterLanguage) {
		ld.LL, ld.Translated = s.I18n.Localizer(c.LetterLanguage), true
	} else {
		ld.LL = s.localizer(r)
	}
	ld.LL = ld.LL.In(v.D.Country.Calendar.Location())
	ld.Authority = v.Names.Agency[c.AgencyID]
	ld.Letterhead, ld.Signature = letterLines(s.Config.Letterhead), letterLines(s.Config.LetterSignature)
	pg := s.newPage(r, "letter.title", "cases", ld)
	pg.TitleDetail = c.Reference
	return s.renderAfter(w, http.StatusOK, "letter", pg, v.Viewed)
}
