package app

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/peakshop/peakshop/internal/edge/cork/corktest"
)

// mustServeCounted starts the demo shop behind its edge with the given cork
// setting and returns its address and write counter.
func mustServeCounted(tb testing.TB, cork bool) (string, *corktest.WriteCounter) {
	tb.Helper()
	cfg := DefaultConfig()
	cfg.Addr = "127.0.0.1:0"
	cfg.DataDir = tb.TempDir()
	cfg.AdminToken = "edge-cork-test"
	cfg.ShutdownTimeout = 5 * time.Second
	cfg.Edge.CorkHits = cork
	ctx, cancel := context.WithCancel(context.Background())
	a, err := New(ctx, cfg, slog.New(slog.DiscardHandler), io.Discard)
	if err != nil {
		cancel()
		tb.Fatalf("start shop: %v", err)
	}
	wc := &corktest.WriteCounter{Listener: a.ln}
	a.ln = wc
	done := make(chan error, 1)
	go func() { done <- a.Run(ctx) }()
	tb.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			tb.Errorf("shop stopped with: %v", err)
		}
	})
	return a.Addr(), wc
}

// TestServeSendsCacheHitInOneWrite: serve's in-process edge sends a cached
// page past net/http's 4 KB buffer in one write system call with
// --edge-cork-hits on, and in more than one with it off (so the test can
// tell the two apart).
func TestServeSendsCacheHitInOneWrite(t *testing.T) {
	for _, tc := range []struct {
		cork      bool
		oneWrite  bool
		flagValue string
	}{{true, true, "on"}, {false, false, "off"}} {
		t.Run(tc.flagValue, func(t *testing.T) {
			addr, wc := mustServeCounted(t, tc.cork)
			conn, err := net.Dial("tcp", addr)
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			conn.SetDeadline(time.Now().Add(30 * time.Second))
			br := bufio.NewReader(conn)
			get := func() (*http.Response, int, int64) {
				before := wc.Writes()
				fmt.Fprintf(conn, "GET / HTTP/1.1\r\nHost: shop.test\r\nAccept: text/html\r\n\r\n")
				resp, err := http.ReadResponse(br, nil)
				if err != nil {
					t.Fatal(err)
				}
				n, _ := io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				return resp, int(n), wc.Writes() - before
			}
			get() // fills the cache
			resp, size, writes := get()
			if resp.StatusCode != http.StatusOK || resp.Header.Get("X-Cache") != "HIT" {
				t.Fatalf("second GET /: %d X-Cache %q, want a 200 HIT", resp.StatusCode, resp.Header.Get("X-Cache"))
			}
			if size <= 4<<10 {
				t.Fatalf("home page is %d bytes; the test needs one past net/http's 4 KB buffer", size)
			}
			if got := writes == 1; got != tc.oneWrite {
				t.Errorf("--edge-cork-hits=%s: a %d-byte hit took %d write calls", tc.flagValue, size, writes)
			}
		})
	}
}
