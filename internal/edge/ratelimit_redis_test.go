package edge

import (
	"crypto/rand"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"testing"

	"github.com/peakshop/peakshop/internal/edge/ratelimit"
	"github.com/peakshop/peakshop/internal/edge/waf"
)

func TestRedisFlag(t *testing.T) {
	for _, tt := range []struct {
		args []string
		env  map[string]string
		want string
	}{
		{[]string{"--upstream", "http://127.0.0.1:1"}, nil, ""},
		{[]string{"--upstream", "http://127.0.0.1:1"}, map[string]string{"PEAKSHOP_EDGE_REDIS": "redis://127.0.0.1:6379/1"}, "redis://127.0.0.1:6379/1"},
		{[]string{"--upstream", "http://127.0.0.1:1", "--redis", "redis://127.0.0.1:6379/2"}, map[string]string{"PEAKSHOP_EDGE_REDIS": "redis://x"}, "redis://127.0.0.1:6379/2"},
	} {
		cfg, err := ParseArgs(tt.args, env(tt.env), io.Discard)
		if err != nil {
			t.Fatal(err)
		}
		if cfg.RateLimit.Redis != tt.want {
			t.Errorf("%q %v: Redis %q, want %q", tt.args, tt.env, cfg.RateLimit.Redis, tt.want)
		}
	}
}

// TestTwoEdgesShareRateCounts runs two whole edges on one Redis prefix:
// the shared count spans both.
func TestTwoEdgesShareRateCounts(t *testing.T) {
	url := os.Getenv("PEAKSHOP_TEST_REDIS")
	if url == "" {
		t.Skip("PEAKSHOP_TEST_REDIS not set")
	}
	// Its own prefix; the keys expire by themselves (two windows and a
	// block).
	prefix := "peakshop:test:edge:" + rand.Text() + ":"
	mk := func() http.Handler {
		cfg := DefaultConfig()
		cfg.Addr, cfg.AdminAddr = "", ""
		cfg.WAF = waf.RuleSetConfig{Mode: waf.ModeOff}
		cfg.CacheEnabled = false
		cfg.Origin = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {})
		cfg.RateLimit = ratelimit.Config{Rules: []ratelimit.Rule{{Name: "r", Limit: 4}}, Redis: url, RedisPrefix: prefix}
		e, err := New(cfg, slog.New(slog.DiscardHandler))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { e.Close() })
		return e.Handler()
	}
	a, b := mk(), mk()
	code := func(h http.Handler) int {
		r := httptest.NewRequest("GET", "/p", nil)
		r.RemoteAddr = "203.0.113.77:1"
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r)
		return rec.Code
	}
	for i, h := range []http.Handler{a, b, a, b} {
		if c := code(h); c != 200 {
			t.Fatalf("request %d: %d", i+1, c)
		}
	}
	if c := code(a); c != http.StatusTooManyRequests {
		t.Errorf("5th request across two edges: %d, want 429", c)
	}
}
