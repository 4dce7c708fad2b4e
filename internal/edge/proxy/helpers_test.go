package proxy

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"
)

// origin is a loopback upstream that counts its requests.
type origin struct {
	*httptest.Server
	hits atomic.Int64
	name string
}

func newOrigin(tb testing.TB, name string, h http.HandlerFunc) *origin {
	tb.Helper()
	o := &origin{name: name}
	o.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		o.hits.Add(1)
		w.Header().Set("X-Origin", name)
		if h != nil {
			h(w, r)
			return
		}
		io.WriteString(w, name)
	}))
	tb.Cleanup(o.Close)
	return o
}

func quietLogger() *slog.Logger { return slog.New(slog.DiscardHandler) }

func mustProxy(tb testing.TB, cfg Config) *Proxy {
	tb.Helper()
	p, err := New(cfg, quietLogger())
	if err != nil {
		tb.Fatalf("New: %v", err)
	}
	tb.Cleanup(p.Close)
	return p
}

func mustServe(tb testing.TB, h http.Handler) *httptest.Server {
	tb.Helper()
	s := httptest.NewServer(h)
	tb.Cleanup(s.Close)
	return s
}

func mustGet(tb testing.TB, c *http.Client, url string) (*http.Response, string) {
	tb.Helper()
	resp, err := c.Get(url)
	if err != nil {
		tb.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

// waitFor polls cond until it holds or a generous bound passes; it is a
// liveness bound, not a timing assertion.
func waitFor(tb testing.TB, what string, cond func() bool) {
	tb.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			tb.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}
