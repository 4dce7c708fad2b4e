package edge

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/peakshop/peakshop/internal/edge/cork"
	"github.com/peakshop/peakshop/internal/edge/ratelimit"
	"github.com/peakshop/peakshop/internal/edge/waf"
)

// benchPage is scripts/bench-edge.sh's object: an 80-line product page,
// about 5.6 KB, over net/http's 4 KB connection buffer.
func benchPage(lines int) string {
	var b strings.Builder
	b.WriteString("<!doctype html><html><head><title>Product 42</title></head><body>\n")
	for i := 1; i <= lines; i++ {
		fmt.Fprintf(&b, "<p>Black Friday deal line %d: running shoes, 40%% off today only.</p>\n", i)
	}
	b.WriteString("</body></html>\n")
	return b.String()
}

// rawClient is a keep-alive HTTP/1.1 client that does as little as
// possible (no header map, no allocation per request), so that the
// server's cost dominates what the loopback benchmarks measure.
type rawClient struct {
	conn net.Conn
	br   *bufio.Reader
	req  []byte
}

func dialRaw(tb testing.TB, addr, path string) *rawClient {
	tb.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		tb.Fatal(err)
	}
	return &rawClient{conn: c, br: bufio.NewReaderSize(c, 64<<10),
		req: []byte("GET " + path + " HTTP/1.1\r\nHost: shop.test\r\nUser-Agent: bench\r\nAccept: */*\r\n\r\n")}
}

var clHeader = []byte("content-length:")

// do sends one request and reads the response; it returns the status and
// the X-Cache value's first byte (H for HIT), or an error.
func (rc *rawClient) do() (status int, xcache byte, err error) {
	if _, err = rc.conn.Write(rc.req); err != nil {
		return 0, 0, err
	}
	n := int64(-1)
	for first := true; ; first = false {
		line, err := rc.br.ReadSlice('\n')
		if err != nil {
			return 0, 0, err
		}
		if first {
			if len(line) < 12 {
				return 0, 0, fmt.Errorf("status line %q", line)
			}
			status, _ = strconv.Atoi(string(line[9:12]))
			continue
		}
		if len(line) <= 2 {
			break
		}
		if len(line) > len(clHeader) && bytes.EqualFold(line[:len(clHeader)], clHeader) {
			n, _ = strconv.ParseInt(string(bytes.TrimSpace(line[len(clHeader):])), 10, 64)
		}
		if len(line) > 9 && bytes.EqualFold(line[:8], []byte("x-cache:")) {
			xcache = bytes.TrimSpace(line[8:])[0]
		}
	}
	if n < 0 {
		return 0, 0, fmt.Errorf("no Content-Length")
	}
	_, err = rc.br.Discard(int(n))
	return status, xcache, err
}

// processCPU is the user and system CPU time the process has used.
func processCPU() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// serveLoopback serves h as Run would (same server settings, with the
// cork listener when corked) on a loopback port and returns its address.
func serveLoopback(tb testing.TB, h http.Handler, corked bool) string {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	srv := newServer(h, ServerTimeouts{}, nil, slog.New(slog.DiscardHandler))
	if corked {
		ln = cork.Listener{Listener: ln}
	}
	go srv.Serve(ln)
	tb.Cleanup(func() { srv.Shutdown(context.Background()) })
	return ln.Addr().String()
}

// benchEdge is the edge as `peakshop edge` runs by default, rate rules
// included (a hit must pass them), with the per-IP limit raised so one
// benchmark client is never refused, and the rule set off: a hit never
// reaches it (TestCacheHitSkipsRuleSet checks that), and compiling it
// would add a second to every run.
func benchEdge(tb testing.TB, origin http.Handler) *Edge {
	tb.Helper()
	cfg := DefaultConfig()
	cfg.Addr, cfg.AdminAddr = "", ""
	cfg.WAF = waf.RuleSetConfig{Mode: waf.ModeOff}
	cfg.RateLimit.Rules = ratelimit.DefaultRules()
	cfg.RateLimit.Rules[0].Limit = 1 << 40
	cfg.Origin = origin
	e, err := New(cfg, slog.New(slog.DiscardHandler))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(e.Close)
	return e
}

// BenchmarkLoopbackCacheHit measures a cache hit through the whole public
// handler on a real loopback listener with keep-alive clients, next to a
// baseline server on the same settings whose handler writes the same
// status, headers and body from memory. Compare edge with baseline from
// the same run (the machine is shared): edge/baseline ns/op is the cost
// of the edge's layers, the rest is net/http, the kernel and the client.
func BenchmarkLoopbackCacheHit(b *testing.B) {
	for _, lines := range []int{80, 30} {
		page := benchPage(lines)
		e := benchEdge(b, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			w.Header().Set("Cache-Control", "public, s-maxage=3600")
			w.Header().Set("Surrogate-Key", "product-42")
			io.WriteString(w, page)
		}))
		edgeAddr := serveLoopback(b, e.Handler(), true)
		// The same edge without the cork listener: what Run served before.
		plainAddr := serveLoopback(b, e.Handler(), false)

		// The baseline sends what a hit sends: fetch it once through the
		// edge and replay its headers (the id and Age are per response;
		// fixed values of the same length are as costly to write).
		warm := dialRaw(b, edgeAddr, "/products/42.html")
		warm.do()
		// No Accept-Encoding, like the raw client: the same variant.
		hc := &http.Client{Transport: &http.Transport{DisableCompression: true}}
		req, _ := http.NewRequest(http.MethodGet, "http://"+edgeAddr+"/products/42.html", nil)
		req.Host = "shop.test" // the raw client's, so the same key
		resp, err := hc.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		resp.Body.Close()
		if resp.Header.Get("X-Cache") != "HIT" {
			b.Fatalf("X-Cache %q", resp.Header.Get("X-Cache"))
		}
		hdr := resp.Header.Clone()
		hdr.Del("Date")
		hdr.Del("Content-Length")
		body := []byte(page)
		baseAddr := serveLoopback(b, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			h := w.Header()
			for k, v := range hdr {
				h[k] = v
			}
			h["Content-Length"] = []string{strconv.Itoa(len(body))}
			w.Write(body)
		}), false)
		for _, tc := range []struct{ name, addr string }{{"baseline", baseAddr}, {"edge-uncorked", plainAddr}, {"edge", edgeAddr}} {
			b.Run(fmt.Sprintf("%dB/%s", len(page), tc.name), func(b *testing.B) {
				b.SetParallelism(16) // 32 connections on 2 cores, as wrk -c32 would
				b.SetBytes(int64(len(page)))
				cpu0 := processCPU()
				defer func() {
					// Client and server together, per request: the client
					// is the same for all three, so differences are the
					// server's; less swayed by other work than ns/op.
					b.ReportMetric(float64((processCPU()-cpu0).Nanoseconds())/float64(b.N), "cpu-ns/op")
				}()
				b.RunParallel(func(pb *testing.PB) {
					c := dialRaw(b, tc.addr, "/products/42.html")
					defer c.conn.Close()
					for pb.Next() {
						st, xc, err := c.do()
						if err != nil || st != http.StatusOK || xc != 'H' {
							b.Errorf("status %d X-Cache %c: %v", st, xc, err)
							return
						}
					}
				})
			})
		}
	}
}
