package web

import "net/http"

func (s *Server) home(w http.ResponseWriter, r *http.Request) error {
	c, err := s.DB.Counts(r.Context())
	if err != nil {
		return err
	}
	return s.render(w, http.StatusOK, "home", s.newPage(r, "home.title", "home", c))
}

// comingSoon serves the navigation entries of capabilities that are not
// built yet, so the layout is complete and honest about it.
func (s *Server) comingSoon(title, active string) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		return s.render(w, http.StatusOK, "soon", s.newPage(r, title, active, nil))
	}
}
