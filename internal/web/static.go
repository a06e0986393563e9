package web

import (
	"io/fs"
	"net/http"
)

// static serves the embedded CSS, scripts and images.
func (s *Server) static(w http.ResponseWriter, r *http.Request) error {
	sub, err := fs.Sub(assets, "static")
	if err != nil {
		return err
	}
	if _, err := fs.Stat(sub, r.URL.Path[len("/static/"):]); err != nil || r.URL.Path == "/static/" {
		return errNotFound
	}
	w.Header().Set("Cache-Control", "public, max-age=3600")
	http.StripPrefix("/static/", http.FileServerFS(sub)).ServeHTTP(w, r)
	return nil
}
