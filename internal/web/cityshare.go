package web

import (
	"net/http"

	"github.com/haven-nrm/haven/internal/errs"
	"github.com/haven-nrm/haven/internal/localgov"
)

// cityshareOverview shows the published profiles, the import form and the
// good-practice library.
type cityshareOverview struct {
	localgov.Overview
	Error string
}

func (s *Server) cityshareIndex(w http.ResponseWriter, r *http.Request) error {
	o, err := s.localgov().Overview(r.Context(), principal(r))
	if err != nil {
		return err
	}
	return s.render(w, http.StatusOK, "cityshare", s.newPage(r, "cityshare.title", "cityshare", cityshareOverview{Overview: o}))
}

// cityshareDone returns to a CityShare page after a write, or shows the
// overview again with the reason.
func (s *Server) cityshareDone(w http.ResponseWriter, r *http.Request, err error, back string) error {
	if err == nil {
		http.Redirect(w, r, back, http.StatusSeeOther)
		return nil
	}
	if errs.KindOf(err) != errs.Invalid {
		return err
	}
	o, oerr := s.localgov().Overview(r.Context(), principal(r))
	if oerr != nil {
		return oerr
	}
	return s.render(w, http.StatusUnprocessableEntity, "cityshare", s.newPage(r, "cityshare.title", "cityshare",
		cityshareOverview{Overview: o, Error: s.refusalMessage(r, err)}))
}

func (s *Server) citysharePublish(w http.ResponseWriter, r *http.Request) error {
	_, err := s.localgov().Publish(r.Context(), principal(r))
	return s.cityshareDone(w, r, err, "/cityshare")
}

func (s *Server) cityshareImport(w http.ResponseWriter, r *http.Request) error {
	var in localgov.ImportInput
	if err := formInto(r, &in); err != nil {
		return err
	}
	_, err := s.localgov().Import(r.Context(), principal(r), in)
	return s.cityshareDone(w, r, err, "/cityshare")
}

// cityshareDocument downloads a profile as a signed document.
func (s *Server) cityshareDocument(w http.ResponseWriter, r *http.Request) error {
	b, err := s.localgov().Export(r.Context(), principal(r), r.PathValue("id"))
	if err != nil {
		return err
	}
	return writeAttachment(w, "application/json; charset=utf-8", "cityshare-profile.json", b)
}

// bar is one bar of the comparison chart, in SVG units.
type bar struct {
	X, Y, W, H, LabelX, LabelY int
	Score                      int
	Series                     int // which city: its colour
}

// pillarChart is the chart of one pillar: a bar per city.
type pillarChart struct {
	Pillar string
	Bars   []bar
}

// comparePage is the side-by-side comparison.
type comparePage struct {
	localgov.Comparison
	Charts []pillarChart
	// Cities names the columns in order: the own city first.
	Cities     []string
	Indicators []localgov.Indicator
	Values     [][]string // per indicator, per city
	Today      string
	Error      string
	// ChartWidth and ChartHeight are each chart's size in SVG units.
	ChartWidth, ChartHeight int
}

// chart geometry: five score steps of 24 units, bars 28 wide.
const (
	pillarStep, pillarBar, pillarGap, pillarTop = 24, 28, 12, 8
)

func (s *Server) cityshareCompare(w http.ResponseWriter, r *http.Request) error {
	c, err := s.localgov().Compare(r.Context(), principal(r), r.URL.Query()["p"])
	if err != nil {
		return err
	}
	return s.render(w, http.StatusOK, "cityshare_compare", s.newPage(r, "cityshare.compare.title", "cityshare", s.comparePage(r, c)))
}

func (s *Server) comparePage(r *http.Request, c localgov.Comparison) comparePage {
	L := s.localizer(r)
	page := comparePage{Comparison: c, Indicators: localgov.Indicators, Today: s.now().UTC().Format("2006-01-02")}
	docs := []localgov.ProfileDoc{c.Own}
	for _, p := range c.Peers {
		docs = append(docs, p.Doc)
	}
	page.ChartWidth, page.ChartHeight = pillarGap+len(docs)*(pillarBar+pillarGap), pillarTop+5*pillarStep+4
	for _, d := range docs {
		page.Cities = append(page.Cities, d.City)
	}
	for _, pillar := range []string{"prevention", "protection", "prosecution"} {
		ch := pillarChart{Pillar: pillar}
		for i, d := range docs {
			score := map[string]int{"prevention": d.Scores.Prevention, "protection": d.Scores.Protection, "prosecution": d.Scores.Prosecution}[pillar]
			h := score * pillarStep
			x := pillarGap + i*(pillarBar+pillarGap)
			y := pillarTop + 5*pillarStep - h
			ch.Bars = append(ch.Bars, bar{X: x, Y: y, W: pillarBar, H: h, LabelX: x + pillarBar/2, LabelY: y - 2, Score: score, Series: i})
		}
		page.Charts = append(page.Charts, ch)
	}
	for _, ind := range localgov.Indicators {
		row := make([]string, len(docs))
		for i, d := range docs {
			row[i] = "—"
			for _, v := range d.Indicators {
				if v.Code == ind.Code && v.Known {
					row[i] = L.Decimal(v.Value, 1)
				}
			}
		}
		page.Values = append(page.Values, row)
	}
	return page
}

func (s *Server) cityshareComment(w http.ResponseWriter, r *http.Request) error {
	var in localgov.CommentInput
	if err := formInto(r, &in); err != nil {
		return err
	}
	err := s.localgov().Comment(r.Context(), principal(r), r.PathValue("id"), in)
	return s.cityshareDone(w, r, err, "/cityshare/compare?p="+r.PathValue("id"))
}

func (s *Server) cityshareAdopt(w http.ResponseWriter, r *http.Request) error {
	var in localgov.AdoptInput
	if err := formInto(r, &in); err != nil {
		return err
	}
	id, err := s.localgov().Adopt(r.Context(), principal(r), in)
	return s.cityshareDone(w, r, err, "/localgov/plan#item-"+id)
}
