package ratelimit

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/redis/rueidis"
)

// mustRedisURL returns PEAKSHOP_TEST_REDIS or skips.
func mustRedisURL(tb testing.TB) string {
	tb.Helper()
	u := os.Getenv("PEAKSHOP_TEST_REDIS")
	if u == "" {
		tb.Skip("PEAKSHOP_TEST_REDIS not set")
	}
	return u
}

// mustPrefix returns a key prefix of the test's own and deletes its keys
// when the test ends, so tests never see each other's counts.
func mustPrefix(tb testing.TB, url string) string {
	tb.Helper()
	b := make([]byte, 6)
	rand.Read(b)
	prefix := "peakshop:test:rl:" + hex.EncodeToString(b) + ":"
	tb.Cleanup(func() {
		opt, err := rueidis.ParseURL(url)
		if err != nil {
			return
		}
		opt.DisableCache = true
		c, err := rueidis.NewClient(opt)
		if err != nil {
			return
		}
		defer c.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		keys, _ := c.Do(ctx, c.B().Keys().Pattern(prefix+"*").Build()).AsStrSlice()
		for _, k := range keys {
			c.Do(ctx, c.B().Del().Key(k).Build())
		}
	})
	return prefix
}

// mustShared builds one limiter per clock, all on one Redis prefix: edge
// instances sharing counters.
func mustShared(tb testing.TB, url, prefix string, rules []Rule, clk *clock) http.Handler {
	tb.Helper()
	l, err := New(Config{Rules: rules, Redis: url, RedisPrefix: prefix, RedisTimeout: 2 * time.Second}, slog.New(slog.DiscardHandler))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(l.Close)
	l.now = clk.Now
	return l.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
}

func TestRedisTwoInstancesShareOneCount(t *testing.T) {
	url := mustRedisURL(t)
	prefix := mustPrefix(t, url)
	clk := &clock{t: time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC)}
	rules := []Rule{{Name: "per-ip", Limit: 100, Block: 10 * time.Minute}}
	a, b := mustShared(t, url, prefix, rules, clk), mustShared(t, url, prefix, rules, clk)
	for i := range 100 {
		h := a
		if i%2 == 1 {
			h = b
		}
		if rec := send(h, "GET", "/p", "198.51.100.1"); rec.Code != 200 {
			t.Fatalf("request %d blocked", i+1)
		}
		clk.Advance(time.Second)
	}
	// 50 on each instance, 100 in all: the 101st is blocked on both.
	rec := send(a, "GET", "/p", "198.51.100.1")
	if rec.Code != http.StatusTooManyRequests || rec.Header().Get("Retry-After") != "600" {
		t.Fatalf("101st: %d Retry-After %q, want 429 and 600", rec.Code, rec.Header().Get("Retry-After"))
	}
	if send(b, "GET", "/p", "198.51.100.1").Code != 429 {
		t.Error("the other instance did not see the block")
	}
	if send(b, "GET", "/p", "198.51.100.2").Code != 200 {
		t.Error("another client was blocked")
	}
	// The block expires (by the clock the instances pass in).
	clk.Advance(9 * time.Minute)
	if send(a, "GET", "/p", "198.51.100.1").Code != 429 {
		t.Error("block ended early")
	}
	clk.Advance(2 * time.Minute)
	if rec := send(b, "GET", "/p", "198.51.100.1"); rec.Code != 200 {
		t.Errorf("still blocked after the block time: %d", rec.Code)
	}
}

func TestRedisSlidingWindowMatchesInProcess(t *testing.T) {
	url := mustRedisURL(t)
	clk := &clock{t: time.Date(2026, 11, 27, 0, 0, 59, 0, time.UTC)}
	h := mustShared(t, url, mustPrefix(t, url), []Rule{{Name: "r", Limit: 10, Window: time.Minute, Block: time.Second}}, clk)
	for range 10 {
		if send(h, "GET", "/", "192.0.2.1").Code != 200 {
			t.Fatal("blocked within limit")
		}
	}
	clk.Advance(7 * time.Second) // 90% of the previous window still counts
	if send(h, "GET", "/", "192.0.2.1").Code != 200 {
		t.Fatal("first request of the new window blocked")
	}
	if send(h, "GET", "/", "192.0.2.1").Code != 429 {
		t.Fatal("sliding window forgot the previous window")
	}
}

// forwarder is a loopback TCP proxy to Redis that the test can cut, the
// way an outage would.
type forwarder struct {
	ln    net.Listener
	mu    sync.Mutex
	conns []net.Conn
	wg    sync.WaitGroup
}

func mustForwarder(tb testing.TB, redisURL string) *forwarder {
	tb.Helper()
	opt, err := rueidis.ParseURL(redisURL)
	if err != nil {
		tb.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	f := &forwarder{ln: ln}
	f.wg.Add(1)
	go func() {
		defer f.wg.Done()
		for {
			in, err := ln.Accept()
			if err != nil {
				return
			}
			out, err := net.DialTimeout("tcp", opt.InitAddress[0], time.Second)
			if err != nil {
				in.Close()
				continue
			}
			f.mu.Lock()
			f.conns = append(f.conns, in, out)
			f.mu.Unlock()
			f.wg.Add(2)
			go func() { defer f.wg.Done(); io.Copy(out, in); out.Close() }()
			go func() { defer f.wg.Done(); io.Copy(in, out); in.Close() }()
		}
	}()
	tb.Cleanup(f.cut)
	return f
}

// cut closes the listener and every connection, and waits for the copies.
func (f *forwarder) cut() {
	f.ln.Close()
	f.mu.Lock()
	for _, c := range f.conns {
		c.Close()
	}
	f.mu.Unlock()
	f.wg.Wait()
}

func TestRedisDownFailsOpen(t *testing.T) {
	url := mustRedisURL(t)
	fw := mustForwarder(t, url)
	opt, _ := rueidis.ParseURL(url)
	viaForwarder := "redis://" + fw.ln.Addr().String() + "/" + strconv.Itoa(opt.SelectDB)
	l, err := New(Config{Rules: []Rule{{Name: "r", Limit: 2}}, Redis: viaForwarder, RedisPrefix: mustPrefix(t, url)}, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(l.Close)
	h := l.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	for range 2 {
		send(h, "GET", "/", "192.0.2.1")
	}
	if send(h, "GET", "/", "192.0.2.1").Code != 429 {
		t.Fatal("limit not enforced through Redis")
	}
	fw.cut()
	for i := range 5 {
		if rec := send(h, "GET", "/", "192.0.2.3"); rec.Code != 200 {
			t.Fatalf("request %d with Redis down: %d, want 200 (fail open)", i, rec.Code)
		}
	}
	if l.FailOpen() < 5 {
		t.Errorf("FailOpen = %d, want >= 5", l.FailOpen())
	}
}

func TestRedisDownAtStartStillStarts(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	dead := "redis://" + ln.Addr().String()
	ln.Close() // nothing listens there now
	l, err := New(Config{Rules: []Rule{{Name: "r", Limit: 1}}, Redis: dead}, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(l.Close)
	h := l.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	for range 3 {
		if send(h, "GET", "/", "192.0.2.1").Code != 200 {
			t.Fatal("refused while Redis is down")
		}
	}
	if l.FailOpen() != 3 {
		t.Errorf("FailOpen = %d, want 3", l.FailOpen())
	}
}
