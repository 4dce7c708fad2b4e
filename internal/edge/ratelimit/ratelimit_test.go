package ratelimit

import (
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

func mustLimiter(tb testing.TB, cfg Config) (*Limiter, *clock, http.Handler) {
	tb.Helper()
	l, err := New(cfg, slog.New(slog.DiscardHandler))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(l.Close)
	clk := &clock{t: time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC)}
	l.now = clk.Now
	return l, clk, l.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
}

func send(h http.Handler, method, path, ip string) *httptest.ResponseRecorder {
	r := httptest.NewRequest(method, path, nil)
	r.RemoteAddr = ip + ":5555"
	r.Header.Set("X-Request-Id", "rl-1")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, r)
	return rec
}

func TestHundredAndFirstRequestBlocked(t *testing.T) {
	l, clk, h := mustLimiter(t, Config{Rules: []Rule{{Name: "per-ip", Limit: 100, Block: 10 * time.Minute}}, ExemptPaths: []string{"/healthz"}})
	for i := range 100 {
		if rec := send(h, "GET", "/p", "198.51.100.1"); rec.Code != 200 {
			t.Fatalf("request %d blocked", i+1)
		}
		clk.Advance(time.Second)
	}
	rec := send(h, "GET", "/p", "198.51.100.1")
	if rec.Code != http.StatusTooManyRequests {
		t.Fatalf("101st: status %d, want 429", rec.Code)
	}
	if rec.Header().Get("Retry-After") != "600" || !strings.Contains(rec.Body.String(), "rl-1") {
		t.Errorf("429 lacks Retry-After or request id: %v %q", rec.Header(), rec.Body.String())
	}
	// Others are unaffected; health checks are never blocked.
	if rec := send(h, "GET", "/p", "198.51.100.2"); rec.Code != 200 {
		t.Error("another client was blocked")
	}
	if rec := send(h, "GET", "/healthz", "198.51.100.1"); rec.Code != 200 {
		t.Error("health check was blocked")
	}
	// Still blocked before the block ends, free after.
	clk.Advance(9 * time.Minute)
	if rec := send(h, "GET", "/p", "198.51.100.1"); rec.Code != 429 {
		t.Error("block ended early")
	}
	clk.Advance(2 * time.Minute)
	if rec := send(h, "GET", "/p", "198.51.100.1"); rec.Code != 200 {
		t.Errorf("still blocked after the block time: %d", rec.Code)
	}
	if l.Blocks()["per-ip"] != 2 {
		t.Errorf("blocks %v", l.Blocks())
	}
}

func TestSlidingWindowWeighsPreviousWindow(t *testing.T) {
	_, clk, h := mustLimiter(t, Config{Rules: []Rule{{Name: "r", Limit: 10, Window: time.Minute, Block: time.Second}}})
	// Align to the start of a window, use all 10 at its end.
	now := clk.Now()
	clk.Advance(now.Truncate(time.Minute).Add(time.Minute).Sub(now) + 59*time.Second)
	for range 10 {
		if send(h, "GET", "/", "192.0.2.1").Code != 200 {
			t.Fatal("blocked within limit")
		}
	}
	// 6 s into the next window, 90% of the previous one still counts: 9 + 1 = 10, ok;
	// one more makes 11.
	clk.Advance(7 * time.Second)
	if send(h, "GET", "/", "192.0.2.1").Code != 200 {
		t.Fatal("first request of the new window blocked")
	}
	if send(h, "GET", "/", "192.0.2.1").Code != 429 {
		t.Fatal("sliding window forgot the previous window")
	}
}

func TestPerPathAndMethodScopedRules(t *testing.T) {
	_, _, h := mustLimiter(t, Config{Rules: []Rule{
		{Name: "signin", PathPrefix: "/signin", Methods: []string{"POST"}, PerPath: true, Limit: 3},
	}})
	for range 3 {
		send(h, "POST", "/signin", "192.0.2.9")
	}
	if send(h, "POST", "/signin", "192.0.2.9").Code != 429 {
		t.Error("4th sign-in allowed")
	}
	if send(h, "GET", "/signin", "192.0.2.9").Code != 200 {
		t.Error("GET counted by a POST rule")
	}
	if send(h, "POST", "/cart", "192.0.2.9").Code != 200 {
		t.Error("other path blocked by a path rule")
	}
}

func TestConfigErrors(t *testing.T) {
	for _, r := range []Rule{{Name: "", Limit: 1}, {Name: "x"}, {Name: "x", Limit: 1, Window: -1}} {
		if _, err := New(Config{Rules: []Rule{r}}, slog.New(slog.DiscardHandler)); err == nil {
			t.Errorf("%+v accepted", r)
		}
	}
	if len(DefaultRules()) == 0 {
		t.Error("no default rules")
	}
}
