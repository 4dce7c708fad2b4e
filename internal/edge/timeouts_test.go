package edge

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/peakshop/peakshop/internal/edge/proxy"
	"github.com/peakshop/peakshop/internal/edge/waf"
)

// TestServerTimeoutsApplied runs the edge with short client-side timeouts:
// a client that never finishes its headers is disconnected after the
// header timeout, and an idle keep-alive connection after the idle
// timeout, while a normal client is served throughout.
func TestServerTimeoutsApplied(t *testing.T) {
	var hits atomic.Int64
	origin := shopOrigin(t, &hits)
	cfg := DefaultConfig()
	cfg.Addr, cfg.AdminAddr = "127.0.0.1:0", "127.0.0.1:0"
	cfg.WAF = waf.RuleSetConfig{Mode: waf.ModeOff}
	cfg.Proxy = proxy.Config{Pools: []proxy.PoolConfig{{Name: "web", Targets: []string{origin.URL}}}}
	cfg.Server = ServerTimeouts{ReadHeader: 100 * time.Millisecond, Idle: 200 * time.Millisecond}
	rn := mustRun(t, cfg)

	// readsEOF reports whether the server closed conn (within a liveness
	// bound far above the timeouts under test).
	readsEOF := func(conn net.Conn, r io.Reader) bool {
		conn.SetReadDeadline(time.Now().Add(10 * time.Second))
		_, err := io.Copy(io.Discard, r)
		return err == nil // io.Copy returns nil at EOF
	}

	slow, err := net.Dial("tcp", rn.e.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer slow.Close()
	io.WriteString(slow, "GET /products/1 HTTP/1.1\r\nHost: shop\r\n") // headers never end
	if resp, body := rn.get(t, "/products/2"); resp.StatusCode != http.StatusOK || body == "" {
		t.Errorf("normal client: %d", resp.StatusCode)
	}
	if !readsEOF(slow, slow) {
		t.Error("a client that never finished its headers kept its connection")
	}

	idle, err := net.Dial("tcp", rn.e.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer idle.Close()
	io.WriteString(idle, "GET /products/3 HTTP/1.1\r\nHost: shop\r\n\r\n")
	br := bufio.NewReader(idle)
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || strings.EqualFold(resp.Header.Get("Connection"), "close") {
		t.Fatalf("keep-alive response: %d %v", resp.StatusCode, resp.Header)
	}
	if !readsEOF(idle, br) {
		t.Error("an idle keep-alive connection outlived the idle timeout")
	}
}
