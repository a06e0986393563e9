package web

import (
	"net/http/httptest"
	"testing"
)

func TestClientIPBehindTrustedProxies(t *testing.T) {
	proxies, err := parseProxies("10.0.0.1, 192.168.0.0/16")
	if err != nil {
		t.Fatal(err)
	}
	s := &Server{proxies: proxies}
	cases := []struct {
		name, remote, xff, want string
	}{
		{"no proxy: the peer", "203.0.113.9:5000", "", "203.0.113.9"},
		{"untrusted peer: its header is ignored", "203.0.113.9:5000", "198.51.100.1", "203.0.113.9"},
		{"trusted proxy: the client it names", "10.0.0.1:5000", "198.51.100.7", "198.51.100.7"},
		{"spoofed left part ignored", "10.0.0.1:5000", "1.2.3.4, 198.51.100.7", "198.51.100.7"},
		{"chain of trusted proxies", "10.0.0.1:5000", "198.51.100.7, 192.168.4.4", "198.51.100.7"},
		{"garbage stops the walk", "10.0.0.1:5000", "nonsense", "10.0.0.1"},
	}
	for _, c := range cases {
		r := httptest.NewRequest("GET", "/", nil)
		r.RemoteAddr = c.remote
		if c.xff != "" {
			r.Header.Set("X-Forwarded-For", c.xff)
		}
		if got := s.clientIP(r); got != c.want {
			t.Errorf("%s: %s, want %s", c.name, got, c.want)
		}
	}
	if _, err := parseProxies("not-an-ip"); err == nil {
		t.Error("a bad proxy setting was accepted")
	}
}
