package web

import (
	"net/http"
	"strings"

	"github.com/haven-nrm/haven/internal/errs"
	"github.com/haven-nrm/haven/internal/stats"
)

// The release desk: an analyst drafts a release (its tables cut by the
// statistics dimensions, a period, a method and, for differential
// privacy, ε, with the ledger of what has been spent beside it); a second
// person approves it, which freezes, signs and publishes it on /releases.
// Each handler decodes its form, calls one stats method and renders.

// releaseDeskTables is how many tables the drafting form offers.
const releaseDeskTables = 4

// releaseDeskPage is what the desk shows.
type releaseDeskPage struct {
	D      stats.Desk
	In     stats.ReleaseInput
	Tables []releaseDeskTable
	Dims   []statsOption
	Error  string
}

// releaseDeskTable is one table row of the drafting form: up to
// stats.MaxDims dimension lists, each with its chosen value.
type releaseDeskTable struct {
	N    int
	Dims []releaseDeskDim
}

// releaseDeskDim is one dimension list of a table row.
type releaseDeskDim struct {
	N      int
	Chosen string
}

func (s *Server) releaseDeskView(r *http.Request, in stats.ReleaseInput) (releaseDeskPage, error) {
	d, err := s.Services.Stats.Desk(r.Context(), principal(r))
	if err != nil {
		return releaseDeskPage{}, err
	}
	L := s.localizer(r)
	p := releaseDeskPage{D: d, In: in}
	for _, dim := range stats.Dimensions {
		p.Dims = append(p.Dims, statsOption{Value: dim, Label: L.T("stats.dim." + dim)})
	}
	specs := strings.Split(in.Tables, ";")
	for i := range releaseDeskTables {
		t := releaseDeskTable{N: i + 1}
		var chosen []string
		if i < len(specs) {
			chosen = strings.Split(specs[i], ",")
		}
		for j := range stats.MaxDims {
			d := releaseDeskDim{N: j + 1}
			if j < len(chosen) {
				d.Chosen = strings.TrimSpace(chosen[j])
			}
			t.Dims = append(t.Dims, d)
		}
		p.Tables = append(p.Tables, t)
	}
	return p, nil
}

// releaseDesk shows the drafts, the ε ledger and the drafting form.
func (s *Server) releaseDesk(w http.ResponseWriter, r *http.Request) error {
	p, err := s.releaseDeskView(r, stats.ReleaseInput{Tables: "year;gender,age_band"})
	if err != nil {
		return err
	}
	return s.render(w, http.StatusOK, "release_desk", s.newPage(r, "stats.rel.title", "statistics", p))
}

// releaseDeskRefused shows the desk again with the reason a draft or an
// approval was refused; other errors go to the common error page.
func (s *Server) releaseDeskRefused(w http.ResponseWriter, r *http.Request, in stats.ReleaseInput, err error) error {
	if errs.KindOf(err) != errs.Invalid {
		return err
	}
	p, perr := s.releaseDeskView(r, in)
	if perr != nil {
		return perr
	}
	p.Error = s.refusalMessage(r, err)
	return s.render(w, http.StatusUnprocessableEntity, "release_desk", s.newPage(r, "stats.rel.title", "statistics", p))
}

// releaseDraft records a draft. The form's tables are lists of dimension
// choices named table1…table4; each becomes one table of the release.
func (s *Server) releaseDraft(w http.ResponseWriter, r *http.Request) error {
	var in stats.ReleaseInput
	if err := formInto(r, &in); err != nil {
		return err
	}
	if in.Tables == "" {
		var tables []string
		for i := range releaseDeskTables {
			var dims []string
			for _, d := range r.PostForm["table"+string(rune('1'+i))] {
				if d = strings.TrimSpace(d); d != "" {
					dims = append(dims, d)
				}
			}
			if len(dims) > 0 {
				tables = append(tables, strings.Join(dims, ","))
			}
		}
		in.Tables = strings.Join(tables, ";")
	}
	if _, err := s.Services.Stats.Draft(r.Context(), principal(r), in); err != nil {
		return s.releaseDeskRefused(w, r, in, err)
	}
	http.Redirect(w, r, "/statistics/releases#drafts", http.StatusSeeOther)
	return nil
}

// releaseApprove is the second person's approval: the release is
// computed, frozen, signed and published, and the approver sees it on its
// public page. The drafter's own approval is refused.
func (s *Server) releaseApprove(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	if !isID(id) {
		return errNotFound
	}
	rel, err := s.Services.Stats.Approve(r.Context(), principal(r), id)
	if err != nil {
		return s.releaseDeskRefused(w, r, stats.ReleaseInput{Tables: "year;gender,age_band"}, err)
	}
	http.Redirect(w, r, "/releases/"+rel.ID, http.StatusSeeOther)
	return nil
}
