package edge

import (
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/peakshop/peakshop/internal/edge/waf"
)

type discardWriter struct{ h http.Header }

func (d *discardWriter) Header() http.Header         { return d.h }
func (d *discardWriter) Write(p []byte) (int, error) { return len(p), nil }
func (d *discardWriter) WriteHeader(int)             {}

// BenchmarkEdgeCacheHit is the whole public handler (request id, guard,
// rate rules, waiting room, cache) answering a cached page, with the
// default configuration minus the rule set (which a hit never reaches).
func BenchmarkEdgeCacheHit(b *testing.B) {
	page := strings.Repeat("<p>deal</p>", 700)
	cfg := DefaultConfig()
	cfg.Addr, cfg.AdminAddr = "", ""
	cfg.WAF = waf.RuleSetConfig{Mode: waf.ModeOff}
	cfg.RateRulesEnabled = false // one client address would trip them
	cfg.Origin = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "public, s-maxage=3600")
		w.Header().Set("Content-Type", "text/html")
		w.Write([]byte(page))
	})
	e, err := New(cfg, slog.New(slog.DiscardHandler))
	if err != nil {
		b.Fatal(err)
	}
	defer e.Close()
	h := e.Handler()
	mk := func() *http.Request {
		r := httptest.NewRequest("GET", "/products/42.html", nil)
		r.RemoteAddr = "127.0.0.1:40000"
		return r
	}
	h.ServeHTTP(httptest.NewRecorder(), mk())
	b.ReportAllocs()
	serveParallel(b, h, mk)
}

// serveParallel sends mk's request to h from every benchmark goroutine,
// each reusing one request (its minted request id dropped each time, as a
// new request would not carry it) and one header map.
func serveParallel(b *testing.B, h http.Handler, mk func() *http.Request) {
	b.RunParallel(func(pb *testing.PB) {
		w := &discardWriter{h: http.Header{}}
		r := mk()
		for pb.Next() {
			clear(w.h)
			r.Header.Del("X-Request-Id")
			h.ServeHTTP(w, r)
		}
	})
}
