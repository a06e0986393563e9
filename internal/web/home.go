package web

import (
	"net/http"

	"github.com/haven-nrm/haven/internal/access"
	"github.com/haven-nrm/haven/internal/cases"
)

// homePage is the home page: the reader's tiles, the counts and notices,
// and the start of a referral for every role that may refer.
type homePage struct {
	cases.Home
	Tiles    []homeTile
	CanRefer bool
}

// homeTile is a tile with the key of its words: a count's own words, or
// the navigation's name of the page it leads to.
type homeTile struct {
	cases.Tile
	Key string
}

// tileKeys are the words of the tiles that lead somewhere without a count.
var tileKeys = map[string]string{cases.TileReferrals: "nav.referrals", cases.TileCases: "nav.cases",
	cases.TileStats: "nav.statistics", cases.TileUsers: "admin.users"}

// home shows the reader's tiles, the counts of records and the agency's
// unread notices (cases.Home).
func (s *Server) home(w http.ResponseWriter, r *http.Request) error {
	d, err := s.cases.Home(r.Context(), principal(r))
	if err != nil {
		return err
	}
	hp := homePage{Home: d, CanRefer: access.Allowed(access.CreateReferral, principal(r), access.Resource{})}
	for _, t := range d.Tiles {
		k, ok := tileKeys[t.Kind]
		if !ok {
			k = "queue.tile." + t.Kind
		}
		hp.Tiles = append(hp.Tiles, homeTile{Tile: t, Key: k})
	}
	return s.render(w, http.StatusOK, "home", s.newPage(r, "home.title", "home", hp))
}
