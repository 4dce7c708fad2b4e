package proxy

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
)

func TestRoundRobinSpreadsEvenly(t *testing.T) {
	a, b, c := newOrigin(t, "a", nil), newOrigin(t, "b", nil), newOrigin(t, "c", nil)
	p := mustProxy(t, Config{Pools: []PoolConfig{{Name: "web", Targets: []string{a.URL, b.URL, c.URL}}}})
	edge := mustServe(t, p)
	for range 30 {
		mustGet(t, edge.Client(), edge.URL+"/")
	}
	for _, o := range []*origin{a, b, c} {
		if got := o.hits.Load(); got != 10 {
			t.Errorf("%s got %d requests, want 10", o.name, got)
		}
	}
}

func TestForwardedHeadersAndRequestID(t *testing.T) {
	var got http.Header
	var host string
	o := newOrigin(t, "o", func(w http.ResponseWriter, r *http.Request) {
		got, host = r.Header.Clone(), r.Host
	})
	p := mustProxy(t, Config{Pools: []PoolConfig{{Name: "web", Targets: []string{o.URL}}}})
	edge := mustServe(t, p)
	req, _ := http.NewRequest(http.MethodGet, edge.URL+"/x", nil)
	req.Host = "shop.example"
	req.Header.Set("X-Forwarded-For", "6.6.6.6") // forged: must not survive
	req.Header.Set("X-Request-Id", "abc-123")
	resp, err := edge.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if xff := got.Get("X-Forwarded-For"); xff != "127.0.0.1" {
		t.Errorf("X-Forwarded-For = %q, want 127.0.0.1", xff)
	}
	if proto := got.Get("X-Forwarded-Proto"); proto != "http" {
		t.Errorf("X-Forwarded-Proto = %q", proto)
	}
	if id := got.Get("X-Request-Id"); id != "abc-123" {
		t.Errorf("X-Request-Id = %q", id)
	}
	if host != "shop.example" {
		t.Errorf("Host = %q, want the client's", host)
	}
}

func TestRoutingByPathHostHeader(t *testing.T) {
	browse, checkout, admin, beta := newOrigin(t, "browse", nil), newOrigin(t, "checkout", nil), newOrigin(t, "admin", nil), newOrigin(t, "beta", nil)
	p := mustProxy(t, Config{
		Pools: []PoolConfig{
			{Name: "browse", Targets: []string{browse.URL}},
			{Name: "checkout", Targets: []string{checkout.URL}},
			{Name: "admin", Targets: []string{admin.URL}},
			{Name: "beta", Targets: []string{beta.URL}},
		},
		Routes: []Route{
			{Name: "checkout", Match: Match{PathPrefix: "/api/v1/checkout"}, Splits: []Split{{Pool: "checkout"}}},
			{Name: "admin", Match: Match{Host: "admin.shop.test"}, Splits: []Split{{Pool: "admin"}}},
			{Name: "beta", Match: Match{Headers: map[string]string{"X-Beta": "1"}}, Splits: []Split{{Pool: "beta"}}},
			{Name: "rest", Splits: []Split{{Pool: "browse"}}},
		},
	})
	tests := []struct {
		path, host, beta, want string
	}{
		{"/api/v1/checkout/start", "", "", "checkout"},
		{"/products/1", "admin.shop.test:8081", "", "admin"},
		{"/products/1", "", "1", "beta"},
		{"/products/1", "", "", "browse"},
	}
	for _, tc := range tests {
		req := httptest.NewRequest(http.MethodGet, tc.path, nil)
		if tc.host != "" {
			req.Host = tc.host
		}
		if tc.beta != "" {
			req.Header.Set("X-Beta", tc.beta)
		}
		rec := httptest.NewRecorder()
		p.ServeHTTP(rec, req)
		if got := rec.Body.String(); got != tc.want {
			t.Errorf("%s host=%q beta=%q went to %q, want %q", tc.path, tc.host, tc.beta, got, tc.want)
		}
	}
}

func TestWeightedCanarySplit(t *testing.T) {
	stable, canary := newOrigin(t, "stable", nil), newOrigin(t, "canary", nil)
	p := mustProxy(t, Config{
		Pools:  []PoolConfig{{Name: "stable", Targets: []string{stable.URL}}, {Name: "canary", Targets: []string{canary.URL}}},
		Routes: []Route{{Name: "all", Splits: []Split{{Pool: "stable", Weight: 90}, {Pool: "canary", Weight: 10}}}},
	})
	const n = 1000
	for range n {
		rec := httptest.NewRecorder()
		p.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/", nil))
	}
	// 10% of 1000 is 100; 40..180 is many standard deviations wide.
	if c := canary.hits.Load(); c < 40 || c > 180 {
		t.Errorf("canary got %d of %d, want about 10%%", c, n)
	}
	// Shift everything to the canary at run time.
	if err := p.SetRoutes([]Route{{Name: "all", Splits: []Split{{Pool: "stable", Weight: 0}, {Pool: "canary", Weight: 1}}}}); err != nil {
		t.Fatal(err)
	}
	before := stable.hits.Load()
	for range 50 {
		p.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/", nil))
	}
	if stable.hits.Load() != before {
		t.Errorf("stable still got traffic after the shift")
	}
}

func TestConfigErrors(t *testing.T) {
	tests := []struct {
		name string
		cfg  Config
	}{
		{"no pools", Config{}},
		{"bad policy", Config{Pools: []PoolConfig{{Name: "a", Policy: "fastest"}}}},
		{"bad target", Config{Pools: []PoolConfig{{Name: "a", Targets: []string{"ftp://x"}}}}},
		{"unknown pool", Config{Pools: []PoolConfig{{Name: "a"}}, Routes: []Route{{Name: "r", Splits: []Split{{Pool: "b"}}}}}},
		{"duplicate pool", Config{Pools: []PoolConfig{{Name: "a"}, {Name: "a"}}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := New(tc.cfg, quietLogger()); err == nil {
				t.Fatal("want error")
			}
		})
	}
}

func TestNoTargetIs503WithRequestID(t *testing.T) {
	p := mustProxy(t, Config{Pools: []PoolConfig{{Name: "empty"}}})
	rec := httptest.NewRecorder()
	req := httptest.NewRequest(http.MethodGet, "/", nil)
	req.Header.Set("X-Request-Id", "rid-1")
	p.ServeHTTP(rec, req)
	if rec.Code != http.StatusServiceUnavailable || !strings.Contains(rec.Body.String(), "rid-1") {
		t.Fatalf("got %d %q", rec.Code, rec.Body.String())
	}
}

func TestLeastRequestsAvoidsBusyTarget(t *testing.T) {
	release := make(chan struct{})
	block := func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/block" {
			<-release
		}
	}
	a, b := newOrigin(t, "a", block), newOrigin(t, "b", block)
	p := mustProxy(t, Config{Pools: []PoolConfig{{Name: "web", Policy: PolicyLeastRequests, Targets: []string{a.URL, b.URL}}}})
	pool, _ := p.Pool("web")
	var wg sync.WaitGroup
	wg.Go(func() { p.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/block", nil)) })
	var busy *Target
	waitFor(t, "an outstanding request", func() bool {
		for _, tg := range pool.Targets() {
			if tg.Inflight() == 1 {
				busy = tg
				return true
			}
		}
		return false
	})
	for range 20 {
		rec := httptest.NewRecorder()
		p.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/", nil))
		if busy.URL.String() == a.URL && rec.Body.String() == "a" || busy.URL.String() == b.URL && rec.Body.String() == "b" {
			t.Fatal("least_requests sent a new request to the busy target")
		}
	}
	close(release)
	wg.Wait()
	if busy.Inflight() != 0 {
		t.Errorf("inflight = %d after completion", busy.Inflight())
	}
}

func TestPolicies(t *testing.T) {
	mk := func(inflight int64, lat int64) *Target {
		tg := newTarget(nil)
		tg.inflight.Store(inflight)
		tg.latencyEWMA.Store(lat)
		return tg
	}
	busy, idle := mk(5, 1e6), mk(0, 1e6)
	if got := (LeastRequests{}).Select([]*Target{busy, idle}); got != idle {
		t.Error("least_requests did not pick the idle target")
	}
	slow, fast := mk(0, 50e6), mk(0, 1e6)
	for range 50 { // with two candidates, P2C always compares both
		if got := (P2CLatency{}).Select([]*Target{slow, fast}); got != fast {
			t.Fatal("p2c_latency picked the slow target")
		}
	}
	if (P2CLatency{}).Select(nil) != nil || (LeastRequests{}).Select(nil) != nil || (&RoundRobin{}).Select(nil) != nil {
		t.Error("selectors must return nil on no candidates")
	}
}
