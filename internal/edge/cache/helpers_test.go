package cache

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// clock is a settable time source, so lifetimes are tested without sleeping.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// fakeOrigin counts requests and answers with whatever respond says.
type fakeOrigin struct {
	hits    atomic.Int64
	mu      sync.Mutex
	respond func(w http.ResponseWriter, r *http.Request)
	lastReq *http.Request
}

func (o *fakeOrigin) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	o.hits.Add(1)
	o.mu.Lock()
	o.lastReq = r
	f := o.respond
	o.mu.Unlock()
	f(w, r)
}

func (o *fakeOrigin) set(f func(w http.ResponseWriter, r *http.Request)) {
	o.mu.Lock()
	o.respond = f
	o.mu.Unlock()
}

func (o *fakeOrigin) last() *http.Request {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.lastReq
}

// answer returns an origin handler that sends body with the given headers.
func answer(status int, body string, kv ...string) func(http.ResponseWriter, *http.Request) {
	return func(w http.ResponseWriter, r *http.Request) {
		for i := 0; i+1 < len(kv); i += 2 {
			w.Header().Add(kv[i], kv[i+1])
		}
		w.WriteHeader(status)
		io.WriteString(w, body)
	}
}

type harness struct {
	c      *Cache
	clk    *clock
	origin *fakeOrigin
	h      http.Handler
}

func mustHarness(tb testing.TB, cfg Config) *harness {
	tb.Helper()
	c, err := New(cfg, slog.New(slog.DiscardHandler))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(c.Close)
	clk := &clock{t: time.Date(2026, 11, 27, 6, 0, 0, 0, time.UTC)}
	c.now = clk.Now
	o := &fakeOrigin{respond: answer(200, "ok")}
	return &harness{c: c, clk: clk, origin: o, h: c.Middleware(o)}
}

// do sends a request through the cache; kv are request headers.
func (h *harness) do(method, target string, kv ...string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, target, nil)
	for i := 0; i+1 < len(kv); i += 2 {
		req.Header.Set(kv[i], kv[i+1])
	}
	rec := httptest.NewRecorder()
	h.h.ServeHTTP(rec, req)
	return rec
}

func expectXCache(tb testing.TB, rec *httptest.ResponseRecorder, want, body string) {
	tb.Helper()
	if got := rec.Header().Get("X-Cache"); got != want {
		tb.Errorf("X-Cache = %q, want %q (status %d)", got, want, rec.Code)
	}
	if body != "" && rec.Body.String() != body {
		tb.Errorf("body = %q, want %q", rec.Body.String(), body)
	}
}

func waitFor(tb testing.TB, what string, cond func() bool) {
	tb.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			tb.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(2 * time.Millisecond)
	}
}
