package chaos

import (
	"bufio"
	"errors"
	"io"
	"net"
	"os"
	"slices"
	"testing"
	"time"
)

// echoServer answers every line with the same line, on loopback.
func echoServer(tb testing.TB) string {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	conns := make(chan net.Conn, 128)
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			conns <- c
			go func() { _, _ = io.Copy(c, c) }()
		}
	}()
	tb.Cleanup(func() {
		ln.Close()
		for {
			select {
			case c := <-conns:
				c.Close()
			default:
				return
			}
		}
	})
	return ln.Addr().String()
}

func mustLink(tb testing.TB, upstream string) *Link {
	tb.Helper()
	l, err := NewLink("test", "127.0.0.1:0", upstream)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { l.Close() })
	return l
}

type echoConn struct {
	net.Conn
	r *bufio.Reader
}

func mustDial(tb testing.TB, addr string) *echoConn {
	tb.Helper()
	c, err := net.DialTimeout("tcp", addr, 2*time.Second)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { c.Close() })
	return &echoConn{Conn: c, r: bufio.NewReader(c)}
}

// echo sends a line and waits up to wait for it to come back.
func (c *echoConn) echo(wait time.Duration) (time.Duration, error) {
	start := time.Now()
	_ = c.SetDeadline(start.Add(wait))
	if _, err := c.Write([]byte("ping\n")); err != nil {
		return 0, err
	}
	line, err := c.r.ReadString('\n')
	if err != nil {
		return time.Since(start), err
	}
	if line != "ping\n" {
		return 0, errors.New("echo answered " + line)
	}
	return time.Since(start), nil
}

func mustEcho(tb testing.TB, c *echoConn) time.Duration {
	tb.Helper()
	d, err := c.echo(3 * time.Second)
	if err != nil {
		tb.Fatalf("echo through the link: %v", err)
	}
	return d
}

func TestLinkLatency(t *testing.T) {
	l := mustLink(t, echoServer(t))
	c := mustDial(t, l.Addr())
	// Thresholds leave room for a loaded CI machine: 250ms each way makes
	// a round trip of at least 500ms, a clean one takes well under 200ms.
	clean := mustEcho(t, c)
	if clean > 200*time.Millisecond {
		t.Fatalf("a clean round trip took %s", clean)
	}
	id, err := l.AddLatency(250*time.Millisecond, 0)
	if err != nil {
		t.Fatal(err)
	}
	// Latency applies each way, so a round trip pays it twice, on a
	// connection that was open before the fault as on a new one.
	for _, conn := range []*echoConn{c, mustDial(t, l.Addr())} {
		d := mustEcho(t, conn)
		if d < 490*time.Millisecond {
			t.Errorf("round trip with 250ms latency each way took %s, want >= 500ms", d)
		}
		t.Logf("round trip: %s clean, %s with 250ms each way", clean, d)
	}
	if got := l.Toxics(); len(got) != 2 {
		t.Errorf("toxics = %v, want one per direction", got)
	}
	if err := l.Remove(id); err != nil {
		t.Fatal(err)
	}
	if got := l.Toxics(); len(got) != 0 {
		t.Errorf("after Remove toxics = %v", got)
	}
	if d := mustEcho(t, mustDial(t, l.Addr())); d > 200*time.Millisecond {
		t.Errorf("after Remove a round trip took %s", d)
	}
}

func TestLinkErrorsResetConnections(t *testing.T) {
	l := mustLink(t, echoServer(t))
	id, err := l.AddResets(1)
	if err != nil {
		t.Fatal(err)
	}
	for range 3 {
		c := mustDial(t, l.Addr())
		if _, err := c.echo(2 * time.Second); err == nil || errors.Is(err, os.ErrDeadlineExceeded) {
			t.Fatalf("with rate 1 a connection got %v, want it closed", err)
		}
	}
	if err := l.Remove(id); err != nil {
		t.Fatal(err)
	}
	mustEcho(t, mustDial(t, l.Addr()))
}

func TestLinkErrorsRateIsAShare(t *testing.T) {
	l := mustLink(t, echoServer(t))
	if _, err := l.AddResets(0.5); err != nil {
		t.Fatal(err)
	}
	var reset, ok int
	for range 40 {
		c := mustDial(t, l.Addr())
		if _, err := c.echo(2 * time.Second); err != nil {
			reset++
		} else {
			ok++
		}
		c.Close()
	}
	// With 40 connections at 0.5, all on one side has odds of 2^-39.
	if reset == 0 || ok == 0 {
		t.Errorf("rate 0.5: %d reset, %d fine; want some of each", reset, ok)
	}
}

func TestLinkBlackholeStalls(t *testing.T) {
	l := mustLink(t, echoServer(t))
	before := mustDial(t, l.Addr())
	mustEcho(t, before)
	id, err := l.AddBlackhole()
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []*echoConn{before, mustDial(t, l.Addr())} {
		if _, err := c.echo(300 * time.Millisecond); !errors.Is(err, os.ErrDeadlineExceeded) {
			t.Errorf("through a blackhole got %v, want a stall (deadline exceeded)", err)
		}
	}
	if err := l.Remove(id); err != nil {
		t.Fatal(err)
	}
	mustEcho(t, mustDial(t, l.Addr()))
}

func TestLinkCutRefusesAndUncutRestores(t *testing.T) {
	l := mustLink(t, echoServer(t))
	addr := l.Addr()
	before := mustDial(t, addr)
	mustEcho(t, before)
	if err := l.Cut(); err != nil {
		t.Fatal(err)
	}
	if l.Enabled() {
		t.Error("cut link reports enabled")
	}
	if _, err := before.echo(2 * time.Second); err == nil || errors.Is(err, os.ErrDeadlineExceeded) {
		t.Errorf("an open connection through a cut link got %v, want it closed", err)
	}
	if c, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
		c.Close()
		t.Fatal("a cut link accepted a connection")
	}
	// Two overlapping cuts: the link comes back when both are undone.
	if err := l.Cut(); err != nil {
		t.Fatal(err)
	}
	if err := l.Uncut(); err != nil {
		t.Fatal(err)
	}
	if l.Enabled() {
		t.Error("link re-enabled while a second cut is in force")
	}
	if err := l.Uncut(); err != nil {
		t.Fatal(err)
	}
	if l.Addr() != addr {
		t.Errorf("link came back on %s, want %s", l.Addr(), addr)
	}
	mustEcho(t, mustDial(t, addr))
}

func TestLinkRestoreClearsEverything(t *testing.T) {
	l := mustLink(t, echoServer(t))
	if _, err := l.AddLatency(time.Second, 0); err != nil {
		t.Fatal(err)
	}
	if _, err := l.AddBlackhole(); err != nil {
		t.Fatal(err)
	}
	if err := l.Cut(); err != nil {
		t.Fatal(err)
	}
	if err := l.Restore(); err != nil {
		t.Fatal(err)
	}
	if got := l.Toxics(); len(got) != 0 || !l.Enabled() {
		t.Fatalf("after Restore: toxics %v, enabled %t", got, l.Enabled())
	}
	if d := mustEcho(t, mustDial(t, l.Addr())); d > 500*time.Millisecond {
		t.Errorf("after Restore a round trip took %s (the removed latency was 1s each way)", d)
	}
	if slices.Contains(l.Toxics(), "") {
		t.Error("unnamed toxic")
	}
}
