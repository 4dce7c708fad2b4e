package cork

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/peakshop/peakshop/internal/edge/cork/corktest"
)

// mustServe serves h on a loopback cork listener and returns its address
// and the write counter.
func mustServe(tb testing.TB, h http.Handler) (string, *corktest.WriteCounter) {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	cl := &corktest.WriteCounter{Listener: ln}
	srv := &http.Server{Handler: h, ConnContext: ConnContext, WriteTimeout: 10 * time.Second}
	srv.Protocols = new(http.Protocols)
	srv.Protocols.SetHTTP1(true)
	srv.Protocols.SetUnencryptedHTTP2(true)
	go srv.Serve(Listener{Listener: cl})
	tb.Cleanup(func() { srv.Close() })
	return ln.Addr().String(), cl
}

var page = strings.Repeat("<p>Black Friday deal: running shoes, 40% off.</p>\n", 120) // 6 KB

// stored answers like a cache hit: a complete body, held.
var stored = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
	Hold(r, len(page))
	w.Header().Set("Content-Type", "text/html")
	w.Header().Set("Content-Length", fmt.Sprint(len(page)))
	io.WriteString(w, page)
})

func TestHeldResponseIsOneWriteAndKeepAliveWorks(t *testing.T) {
	addr, cl := mustServe(t, stored)
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	br := bufio.NewReader(conn)
	for i := range 3 {
		before := cl.Writes()
		fmt.Fprintf(conn, "GET /p/%d HTTP/1.1\r\nHost: shop\r\n\r\n", i)
		resp, err := http.ReadResponse(br, nil)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || string(body) != page {
			t.Fatalf("request %d: %d, %d bytes", i, resp.StatusCode, len(body))
		}
		if n := cl.Writes() - before; n != 1 {
			t.Errorf("request %d: %d write calls for a %d-byte response, want 1", i, n, len(page))
		}
	}
}

func TestHeldResponseSentBeforeClose(t *testing.T) {
	addr, _ := mustServe(t, stored)
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "GET / HTTP/1.1\r\nHost: shop\r\nConnection: close\r\n\r\n")
	conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	all, err := io.ReadAll(conn) // to EOF: the server closed after sending
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasSuffix(string(all), page) {
		t.Fatalf("got %d bytes, want the whole page before the close", len(all))
	}
}

// TestUnheldResponsesStream: a handler that does not hold (the proxy on a
// miss) gets its flushes to the client at once.
func TestUnheldResponsesStream(t *testing.T) {
	release := make(chan struct{})
	addr, _ := mustServe(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "first\n")
		w.(http.Flusher).Flush()
		<-release
		io.WriteString(w, "second\n")
	}))
	resp, err := http.Get("http://" + addr + "/")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	line, err := bufio.NewReader(resp.Body).ReadString('\n')
	close(release)
	if err != nil || line != "first\n" {
		t.Fatalf("first line %q, %v", line, err)
	}
}

// TestHTTP2NotHeld: h2c requests share the listener; Hold is a no-op for
// them and they are answered normally.
func TestHTTP2NotHeld(t *testing.T) {
	addr, _ := mustServe(t, stored)
	tr := &http.Transport{}
	tr.Protocols = new(http.Protocols)
	tr.Protocols.SetUnencryptedHTTP2(true)
	c := &http.Client{Transport: tr, Timeout: 10 * time.Second}
	for range 3 {
		resp, err := c.Get("http://" + addr + "/")
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.ProtoMajor != 2 || string(body) != page {
			t.Fatalf("proto %s, %d bytes", resp.Proto, len(body))
		}
	}
}

func TestHoldWithoutCorkListenerIsNoop(t *testing.T) {
	r, _ := http.NewRequestWithContext(context.Background(), http.MethodGet, "/", nil)
	Hold(r, 10) // no connection in the context: nothing to do, no panic
}
