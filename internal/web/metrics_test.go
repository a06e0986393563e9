package web_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/haven-nrm/haven/internal/config"
	"github.com/haven-nrm/haven/internal/i18n"
	"github.com/haven-nrm/haven/internal/seal"
	"github.com/haven-nrm/haven/internal/testenv"
	"github.com/haven-nrm/haven/internal/web"
)

// TestMetricsOnlyDirectLoopbackOrToken: /metrics answers a direct loopback
// peer that carries no proxy header of any kind, or any peer with the
// configured bearer token; everything else is refused.
func TestMetricsOnlyDirectLoopbackOrToken(t *testing.T) {
	db := testenv.OpenMigrated(t, testenv.FreshSQLite(t))
	b, err := i18n.New()
	if err != nil {
		t.Fatal(err)
	}
	keys, err := seal.NewKeyring()
	if err != nil {
		t.Fatal(err)
	}
	const token = "metrics-token-0123456789abcdef-0123456789"
	serve := func(cfg config.Config) http.Handler {
		s, err := serverFor(db, keys, web.Deps{Config: cfg, I18n: b})
		if err != nil {
			t.Fatal(err)
		}
		return s.Handler()
	}
	plain := serve(config.Defaults())
	withToken := serve(config.Defaults().WithMetricsToken(token))
	proxyHeaders := []string{"X-Forwarded-For", "X-Forwarded-Host", "X-Forwarded-Proto", "X-Forwarded-Port",
		"X-Forwarded-Server", "X-Forwarded-Anything", "Forwarded", "X-Real-IP", "Via", "X-Client-IP",
		"True-Client-IP", "CF-Connecting-IP", "x-real-ip", "x-forwarded-for"}
	type req struct {
		name   string
		h      http.Handler
		remote string
		header [][2]string
		want   int
	}
	cases := []req{
		{"direct loopback v4", plain, "127.0.0.1:40000", nil, 200},
		{"direct loopback v6", plain, "[::1]:40000", nil, 200},
		{"other loopback address", plain, "127.0.0.53:40000", nil, 200},
		{"remote peer", plain, "192.0.2.10:40000", nil, 403},
		{"remote peer with a token but none configured", plain, "192.0.2.10:40000", [][2]string{{"Authorization", "Bearer " + token}}, 403},
		{"remote peer with the token", withToken, "192.0.2.10:40000", [][2]string{{"Authorization", "Bearer " + token}}, 200},
		{"relayed with the token", withToken, "127.0.0.1:40000", [][2]string{{"X-Forwarded-For", "192.0.2.10"}, {"Authorization", "Bearer " + token}}, 200},
		{"remote peer with a wrong token", withToken, "192.0.2.10:40000", [][2]string{{"Authorization", "Bearer " + token[:len(token)-1] + "X"}}, 403},
		{"remote peer with a prefix of the token", withToken, "192.0.2.10:40000", [][2]string{{"Authorization", "Bearer " + token[:20]}}, 403},
		{"remote peer with the token as Basic", withToken, "192.0.2.10:40000", [][2]string{{"Authorization", "Basic " + token}}, 403},
		{"loopback without a token when one is configured", withToken, "127.0.0.1:40000", nil, 200},
	}
	for _, h := range proxyHeaders {
		cases = append(cases, req{"loopback relayed with " + h, plain, "127.0.0.1:40000", [][2]string{{h, "192.0.2.10"}}, 403})
		cases = append(cases, req{"loopback relayed with empty " + h, plain, "127.0.0.1:40000", [][2]string{{h, ""}}, 403})
	}
	for _, c := range cases {
		r := httptest.NewRequest("GET", "/metrics", nil)
		r.RemoteAddr = c.remote
		for _, kv := range c.header {
			r.Header[http.CanonicalHeaderKey(kv[0])] = append(r.Header[http.CanonicalHeaderKey(kv[0])], kv[1])
		}
		w := httptest.NewRecorder()
		c.h.ServeHTTP(w, r)
		if w.Code != c.want {
			t.Errorf("%s: status %d, want %d", c.name, w.Code, c.want)
		}
		if w.Code == 200 && !strings.Contains(w.Body.String(), "haven_http_requests_total") && !strings.Contains(w.Body.String(), "go_goroutines") {
			t.Errorf("%s: not the metrics", c.name)
		}
	}
}
