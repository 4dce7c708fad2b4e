package edge

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/peakshop/peakshop/internal/edge/proxy"
	"github.com/peakshop/peakshop/internal/edge/ratelimit"
	"github.com/peakshop/peakshop/internal/edge/waf"
)

// shopOrigin imitates the storefront: cacheable product pages tagged with
// surrogate keys, an uncacheable JSON API, and a health check.
func shopOrigin(tb testing.TB, hits *atomic.Int64) *httptest.Server {
	tb.Helper()
	s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		switch {
		case r.URL.Path == "/healthz":
			io.WriteString(w, "ok")
		case strings.HasPrefix(r.URL.Path, "/products/"):
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			w.Header().Set("Cache-Control", "public, s-maxage=60, stale-while-revalidate=30")
			w.Header().Set("Surrogate-Key", "product-"+strings.TrimPrefix(r.URL.Path, "/products/"))
			fmt.Fprint(w, strings.Repeat("<p>product page</p>", 100))
		default:
			w.Header().Set("Content-Type", "application/json")
			b, _ := io.ReadAll(r.Body)
			fmt.Fprintf(w, `{"echo":%q,"xff":%q,"rid":%q}`, b, r.Header.Get("X-Forwarded-For"), r.Header.Get("X-Request-Id"))
		}
	}))
	tb.Cleanup(s.Close)
	return s
}

type running struct {
	e      *Edge
	base   string
	admin  string
	client *http.Client
}

func mustRun(tb testing.TB, cfg Config) *running {
	tb.Helper()
	e, err := New(cfg, slog.New(slog.DiscardHandler))
	if err != nil {
		tb.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- e.Run(ctx) }()
	tb.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			tb.Errorf("Run: %v", err)
		}
		e.Close()
	})
	select {
	case <-e.Ready():
	case err := <-done:
		tb.Fatal(err)
	}
	scheme := "http"
	client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{DisableCompression: true}}
	if cfg.TLS.SelfSigned {
		scheme = "https"
		client.Transport = &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}, ForceAttemptHTTP2: true}
	}
	return &running{e: e, base: scheme + "://" + e.Addr().String(), admin: "http://" + e.AdminAddress().String(), client: client}
}

func (rn *running) get(tb testing.TB, path string, kv ...string) (*http.Response, string) {
	tb.Helper()
	req, _ := http.NewRequest(http.MethodGet, rn.base+path, nil)
	for i := 0; i+1 < len(kv); i += 2 {
		req.Header.Set(kv[i], kv[i+1])
	}
	resp, err := rn.client.Do(req)
	if err != nil {
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

func TestEdgeEndToEnd(t *testing.T) {
	var hits atomic.Int64
	origin := shopOrigin(t, &hits)
	cfg := DefaultConfig()
	cfg.Addr, cfg.AdminAddr = "127.0.0.1:0", "127.0.0.1:0"
	cfg.Proxy = proxy.Config{Pools: []proxy.PoolConfig{{Name: "default", Targets: []string{origin.URL}}}}
	cfg.RateLimit = ratelimit.Config{Rules: []ratelimit.Rule{{Name: "per-ip", Limit: 1000}, {Name: "signin", PathPrefix: "/signin", Limit: 3}}}
	cfg.Guard = waf.GuardConfig{Match: []waf.MatchRule{{Name: "no-dotfiles", Pattern: `/\.env`}}}
	rn := mustRun(t, cfg)

	t.Run("cache miss then hit, compressed once", func(t *testing.T) {
		before := hits.Load()
		resp, _ := rn.get(t, "/products/42?utm_source=mail", "Accept-Encoding", "gzip")
		if resp.Header.Get("X-Cache") != "MISS" || resp.Header.Get("Content-Encoding") != "gzip" {
			t.Fatalf("first: X-Cache %q, encoding %q", resp.Header.Get("X-Cache"), resp.Header.Get("Content-Encoding"))
		}
		resp, _ = rn.get(t, "/products/42", "Accept-Encoding", "gzip, deflate")
		if resp.Header.Get("X-Cache") != "HIT" || resp.Header.Get("Content-Encoding") != "gzip" || resp.Header.Get("X-Request-Id") == "" {
			t.Fatalf("second: %v", resp.Header)
		}
		if hits.Load()-before != 1 {
			t.Errorf("origin saw %d requests", hits.Load()-before)
		}
	})
	t.Run("purge by surrogate key through the admin API", func(t *testing.T) {
		resp, err := http.Post(rn.admin+"/cache/purge", "application/json", strings.NewReader(`{"keys":["product-42"]}`))
		if err != nil {
			t.Fatal(err)
		}
		var out map[string]int
		json.NewDecoder(resp.Body).Decode(&out)
		resp.Body.Close()
		if out["purged"] < 1 {
			t.Fatalf("purged %v", out)
		}
		if resp, _ := rn.get(t, "/products/42", "Accept-Encoding", "gzip"); resp.Header.Get("X-Cache") != "MISS" {
			t.Errorf("after purge: %q", resp.Header.Get("X-Cache"))
		}
	})
	t.Run("attacks get 403 with a request id", func(t *testing.T) {
		for _, p := range []string{"/search?q=1'+OR+'1'='1'--", "/.env", "/search?q=<script>alert(1)</script>"} {
			resp, body := rn.get(t, p)
			if resp.StatusCode != http.StatusForbidden || !strings.Contains(body, resp.Header.Get("X-Request-Id")) {
				t.Errorf("%s: %d %q", p, resp.StatusCode, body)
			}
		}
	})
	t.Run("API JSON passes with forwarded headers", func(t *testing.T) {
		req, _ := http.NewRequest(http.MethodPost, rn.base+"/api/v1/cart/items", bytes.NewReader([]byte(`{"product_id":"p-42","quantity":2,"note":"gift, don't open"}`)))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-Request-Id", "client-rid-7")
		resp, err := rn.client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || resp.Header.Get("X-Cache") != "BYPASS" {
			t.Fatalf("%d %s %q", resp.StatusCode, resp.Header.Get("X-Cache"), b)
		}
		if !strings.Contains(string(b), `"xff":"127.0.0.1"`) || !strings.Contains(string(b), `"rid":"client-rid-7"`) || !strings.Contains(string(b), "gift") {
			t.Errorf("origin saw %s", b)
		}
	})
	t.Run("rate rule blocks with 429, health never", func(t *testing.T) {
		for i := range 3 {
			if resp, _ := rn.get(t, "/signin"); resp.StatusCode != 200 {
				t.Fatalf("sign-in %d: %d", i+1, resp.StatusCode)
			}
		}
		if resp, _ := rn.get(t, "/signin"); resp.StatusCode != http.StatusTooManyRequests {
			t.Errorf("4th sign-in: %d", resp.StatusCode)
		}
		if resp, _ := rn.get(t, "/healthz"); resp.StatusCode != 200 {
			t.Errorf("health: %d", resp.StatusCode)
		}
	})
	t.Run("stats", func(t *testing.T) {
		resp, err := http.Get(rn.admin + "/stats")
		if err != nil {
			t.Fatal(err)
		}
		var st Stats
		json.NewDecoder(resp.Body).Decode(&st)
		resp.Body.Close()
		if st.Cache == nil || st.Cache.Hits < 1 || st.RateBlock["signin"] != 1 || st.GuardBlock["match:no-dotfiles"] != 1 || st.WAFBlock["949110"] < 2 {
			t.Errorf("stats %+v", st)
		}
		resp, err = http.Get(rn.admin + "/proxy/pools")
		if err != nil || resp.StatusCode != 200 {
			t.Fatalf("pools: %v", err)
		}
		resp.Body.Close()
	})
}

func TestEdgeInProcessOriginTLSAndHTTP2(t *testing.T) {
	var hits atomic.Int64
	origin := shopOrigin(t, &hits)
	cfg := Config{
		Addr: "127.0.0.1:0", AdminAddr: "127.0.0.1:0",
		Origin:       origin.Config.Handler, // the shop's own handler, no proxy hop
		TLS:          TLSConfig{SelfSigned: true},
		CacheEnabled: true,
		WAF:          waf.RuleSetConfig{Mode: waf.ModeOff},
	}
	rn := mustRun(t, cfg)
	resp, _ := rn.get(t, "/products/7")
	if resp.ProtoMajor != 2 || resp.TLS == nil {
		t.Errorf("proto %s, TLS %v", resp.Proto, resp.TLS != nil)
	}
	resp, _ = rn.get(t, "/products/7")
	if resp.Header.Get("X-Cache") != "HIT" {
		t.Errorf("X-Cache %q", resp.Header.Get("X-Cache"))
	}
	if rn.e.Proxy() != nil || rn.e.Cache() == nil {
		t.Error("in-process edge should have a cache and no proxy")
	}
}

func TestNewRejectsBadConfig(t *testing.T) {
	tests := []struct {
		name string
		cfg  Config
	}{
		{"no pools", Config{WAF: waf.RuleSetConfig{Mode: waf.ModeOff}}},
		{"half a key pair", Config{TLS: TLSConfig{CertFile: "x"}, Origin: http.NotFoundHandler()}},
		{"bad guard", Config{Origin: http.NotFoundHandler(), WAF: waf.RuleSetConfig{Mode: waf.ModeOff}, Guard: waf.GuardConfig{Deny: []string{"nope"}}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := New(tc.cfg, slog.New(slog.DiscardHandler)); err == nil {
				t.Fatal("accepted")
			}
		})
	}
}

func TestEdgeHandlerWaitingRoomAndShedInProcess(t *testing.T) {
	release := make(chan struct{})
	entered := make(chan struct{}, 10)
	cfg := DefaultConfig()
	cfg.Addr, cfg.AdminAddr = "", ""
	cfg.WAF = waf.RuleSetConfig{Mode: waf.ModeOff}
	cfg.WaitRoom.Capacity = 1
	cfg.Shed.InitialLimit, cfg.Shed.MinLimit, cfg.Shed.MaxLimit = 2, 2, 2
	cfg.Origin = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/slow" {
			entered <- struct{}{}
			<-release
		}
		io.WriteString(w, "ok")
	})
	e, err := New(cfg, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	h := e.Handler()
	first := httptest.NewRecorder()
	h.ServeHTTP(first, httptest.NewRequest("GET", "/", nil))
	if first.Code != 200 {
		t.Fatalf("first shopper: %d", first.Code)
	}
	cookie := first.Result().Cookies()[0]
	second := httptest.NewRecorder()
	h.ServeHTTP(second, httptest.NewRequest("GET", "/", nil))
	if second.Code != 503 || second.Header().Get("X-Queue-Position") != "1" {
		t.Errorf("second shopper: %d position %q", second.Code, second.Header().Get("X-Queue-Position"))
	}
	health := httptest.NewRecorder()
	h.ServeHTTP(health, httptest.NewRequest("GET", "/healthz", nil))
	if health.Code != 200 {
		t.Errorf("health queued: %d", health.Code)
	}
	// The admitted shopper fills browse's share (60% of 2 = 1); a second
	// browse request is shed, checkout still passes.
	withCookie := func(path string) *http.Request {
		r := httptest.NewRequest("GET", path, nil)
		r.AddCookie(cookie)
		return r
	}
	done := make(chan struct{})
	go func() { h.ServeHTTP(httptest.NewRecorder(), withCookie("/slow")); close(done) }()
	<-entered
	shedRec := httptest.NewRecorder()
	h.ServeHTTP(shedRec, withCookie("/products/1"))
	checkout := httptest.NewRecorder()
	h.ServeHTTP(checkout, withCookie("/api/v1/checkout"))
	close(release)
	<-done
	if shedRec.Code != 503 || shedRec.Header().Get("Retry-After") == "" {
		t.Errorf("browse under load: %d", shedRec.Code)
	}
	if checkout.Code != 200 {
		t.Errorf("checkout under load: %d", checkout.Code)
	}
}
