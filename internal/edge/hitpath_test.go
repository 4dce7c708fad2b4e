package edge

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"

	"github.com/peakshop/peakshop/internal/edge/ratelimit"
	"github.com/peakshop/peakshop/internal/edge/waf"
)

// TestCacheHitPathLayers pins the order the hit path depends on: a hit
// still passes the guard and the rate rules (the issue requires it), but
// never the Core Rule Set, which runs only on what reaches the origin. A
// scanner's User-Agent, which the CRS blocks, is therefore refused on a
// miss and answered from the cache on a hit of a public page; the rate
// rule's third request is refused even though it would be a hit.
func TestCacheHitPathLayers(t *testing.T) {
	var hits atomic.Int64
	cfg := DefaultConfig()
	cfg.Addr, cfg.AdminAddr = "", ""
	cfg.WAF = waf.RuleSetConfig{Mode: waf.ModeBlock}
	cfg.Guard.Match = []waf.MatchRule{{Name: "no-dotfiles", Pattern: `/\.(git|env)`}}
	cfg.RateLimit.Rules = []ratelimit.Rule{{Name: "per-ip-path", PathPrefix: "/products/", PerPath: true, Limit: 2}}
	cfg.Origin = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		w.Header().Set("Cache-Control", "public, s-maxage=3600")
		io.WriteString(w, "<p>product</p>")
	})
	e, err := New(cfg, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	do := func(path, ua string) *httptest.ResponseRecorder {
		r := httptest.NewRequest(http.MethodGet, path, nil)
		r.RemoteAddr = "198.51.100.7:4000"
		r.Header.Set("User-Agent", ua)
		r.Header.Set("Accept", "text/html")
		w := httptest.NewRecorder()
		e.Handler().ServeHTTP(w, r)
		return w
	}
	const browser, scanner = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0", "sqlmap/1.7.2#stable (https://sqlmap.org)"
	if w := do("/products/1", browser); w.Code != 200 || w.Header().Get("X-Cache") != "MISS" {
		t.Fatalf("fill: %d %s", w.Code, w.Header().Get("X-Cache"))
	}
	if w := do("/products/1", scanner); w.Code != 200 || w.Header().Get("X-Cache") != "HIT" {
		t.Errorf("scanner on a hit: %d %s, want 200 HIT (the CRS runs on misses only)", w.Code, w.Header().Get("X-Cache"))
	}
	if w := do("/products/2", scanner); w.Code != http.StatusForbidden {
		t.Errorf("scanner on a miss: %d, want 403 from the CRS", w.Code)
	}
	if w := do("/products/1/.env", browser); w.Code != http.StatusForbidden {
		t.Errorf("guard rule: %d, want 403", w.Code)
	}
	if w := do("/products/1", browser); w.Code != http.StatusTooManyRequests {
		t.Errorf("third request on the path: %d, want 429 from the rate rule although it is cached", w.Code)
	}
	if n := hits.Load(); n != 1 {
		t.Errorf("origin saw %d requests, want 1", n)
	}
}
