package web

import (
	"crypto/sha256"
	"crypto/subtle"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// metrics are labelled by route pattern, method and status only: never a
// path, query or user, so they cannot carry personal data.
type metrics struct {
	reg      *prometheus.Registry
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
	handler  http.Handler
}

func newMetrics() *metrics {
	reg := prometheus.NewRegistry()
	m := &metrics{
		reg: reg,
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "haven_http_requests_total", Help: "HTTP requests by route pattern, method and status.",
		}, []string{"route", "method", "status"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "haven_http_request_duration_seconds", Help: "HTTP request latency by route pattern and method.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5},
		}, []string{"route", "method"}),
	}
	reg.MustRegister(m.requests, m.duration, collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	m.handler = promhttp.HandlerFor(reg, promhttp.HandlerOpts{Registry: reg})
	return m
}

func (m *metrics) observe(route, method string, status int, d time.Duration) {
	if status == 0 {
		status = http.StatusOK
	}
	m.requests.WithLabelValues(route, method, strconv.Itoa(status)).Inc()
	m.duration.WithLabelValues(route, method).Observe(d.Seconds())
}

// proxyHeaders are the request headers by which a proxy, a load balancer or
// a CDN says it relayed a request. A loopback peer that sends any of them is
// a proxy on this machine relaying someone else, never a local scraper.
var proxyHeaders = []string{
	"Forwarded", "Via", "X-Real-IP", "X-Client-IP", "True-Client-IP", "CF-Connecting-IP",
	"Fastly-Client-IP", "X-Cluster-Client-IP", "X-Original-Forwarded-For",
}

// relayed reports whether r carries a proxy header of any kind, including
// every X-Forwarded-* header.
func relayed(r *http.Request) bool {
	for name := range r.Header {
		if strings.HasPrefix(http.CanonicalHeaderKey(name), "X-Forwarded-") {
			return true
		}
	}
	for _, name := range proxyHeaders {
		if _, ok := r.Header[http.CanonicalHeaderKey(name)]; ok {
			return true
		}
	}
	return false
}

// metricsAllowed reports whether r may read the metrics: a direct loopback
// peer that no proxy relayed, or any peer with the configured bearer token
// (compared in constant time).
func (s *Server) metricsAllowed(r *http.Request) bool {
	if tok := s.Config.MetricsToken(); tok != "" {
		// Hashing both sides first keeps even the token's length secret.
		got, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		want, have := sha256.Sum256([]byte(tok)), sha256.Sum256([]byte(got))
		if ok && subtle.ConstantTimeCompare(want[:], have[:]) == 1 {
			return true
		}
	}
	ip := net.ParseIP(peerIP(r))
	return ip != nil && ip.IsLoopback() && !relayed(r)
}

// metricsHandler serves Prometheus metrics to a scraper on the same machine
// that talks to Haven directly, or to one that presents the metrics token.
func (s *Server) metricsHandler(w http.ResponseWriter, r *http.Request) error {
	if !s.metricsAllowed(r) {
		return errForbidden
	}
	s.metrics.handler.ServeHTTP(w, r)
	return nil
}
