package web

import (
	"net/http"
	"strconv"

	"github.com/haven-nrm/haven/internal/stats"
)

// releasesPage is the public list of published releases.
type releasesPage struct {
	Releases []stats.PublishedRelease
}

// releasePage is one published release: its tables as charts with their
// tables, its methodology notes and its proof.
type releasePage struct {
	R      stats.PublishedRelease
	Tables []statsPage
}

// releasesIndex lists the published releases; anyone may read them.
func (s *Server) releasesIndex(w http.ResponseWriter, r *http.Request) error {
	rs, err := s.Services.Stats.Published(r.Context())
	if err != nil {
		return err
	}
	return s.render(w, http.StatusOK, "releases", s.newPage(r, "release.title", "releases", releasesPage{Releases: rs}))
}

func (s *Server) publishedRelease(r *http.Request) (stats.PublishedRelease, error) {
	id := r.PathValue("id")
	if !isID(id) {
		return stats.PublishedRelease{}, errNotFound
	}
	return s.Services.Stats.PublishedByID(r.Context(), id)
}

// releaseShow shows one published release.
func (s *Server) releaseShow(w http.ResponseWriter, r *http.Request) error {
	rel, err := s.publishedRelease(r)
	if err != nil {
		return err
	}
	L := s.localizer(r)
	p := releasePage{R: rel}
	for i, t := range rel.Content.Tables {
		v := statsView(L, stats.TableInput{Period: rel.Content.Period}, t)
		v.ID = "t" + strconv.Itoa(i)
		p.Tables = append(p.Tables, v)
	}
	return s.render(w, http.StatusOK, "release", s.newPage(r, "release.title", "releases", p))
}

// releaseJSON answers the release's content exactly as it was signed, so
// anyone can check its SHA-256 against the published digest.
func (s *Server) releaseJSON(w http.ResponseWriter, r *http.Request) error {
	rel, err := s.publishedRelease(r)
	if err != nil {
		return err
	}
	return writeAttachment(w, "application/json; charset=utf-8", "haven-release-"+rel.ID+".json", []byte(rel.Release.Content))
}

// releaseCSV answers the release's tables as CSV.
func (s *Server) releaseCSV(w http.ResponseWriter, r *http.Request) error {
	rel, err := s.publishedRelease(r)
	if err != nil {
		return err
	}
	b, err := stats.ReleaseCSV(rel.Content)
	if err != nil {
		return err
	}
	return writeAttachment(w, "text/csv; charset=utf-8", "haven-release-"+rel.ID+".csv", b)
}
