package app_test

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/peakshop/peakshop/internal/app"
)

// With the edge in front (the serve default), catalog reads are cached,
// attacks are blocked before they reach the shop, and checkout still works.
func TestShopBehindItsEdge(t *testing.T) {
	s := startShop(t, engines(t)["sqlite"](t), func(c *app.Config) { c.Edge = app.DefaultEdgeConfig() })
	p := s.addProduct("edge-lamp", 3000, 5)
	path := fmt.Sprintf("/api/v1/products/%d", p.ID)
	first := s.mustStatus(s.do("GET", path, nil), http.StatusOK)
	second := s.mustStatus(s.do("GET", path, nil), http.StatusOK)
	if first.Header.Get("X-Cache") != "MISS" || second.Header.Get("X-Cache") != "HIT" {
		t.Fatalf("X-Cache %q then %q, want MISS then HIT", first.Header.Get("X-Cache"), second.Header.Get("X-Cache"))
	}
	// An admin change purges the cached copy at once.
	s.mustStatus(s.admin("PUT", "/api/v1/admin/inventory/"+p.Variants[0].SKU, map[string]int{"available": 4}), http.StatusOK)
	if third := s.mustStatus(s.do("GET", path, nil), http.StatusOK); third.Header.Get("X-Cache") != "MISS" || !bytes.Contains(third.Body, []byte(`"available":4`)) {
		t.Fatalf("after a stock change: X-Cache %q, body %s", third.Header.Get("X-Cache"), third.Body)
	}
	if r := s.do("GET", "/search?q=1%27%20OR%20%271%27%3D%271%27%20UNION%20SELECT%20password%20FROM%20users--", nil); r.Status != http.StatusForbidden {
		t.Fatalf("SQL injection probe: %d, want 403", r.Status)
	}
	// curl -X POST sends no Content-Length for an empty body; the firewall
	// must still let a shopper create a cart.
	conn, err := net.Dial("tcp", strings.TrimPrefix(s.base, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "POST /api/v1/carts HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: curl/8.5.0\r\nAccept: */*\r\nConnection: close\r\n\r\n")
	if status, _ := bufio.NewReader(conn).ReadString('\n'); !strings.HasPrefix(status, "HTTP/1.1 201") {
		t.Fatalf("bodiless POST /api/v1/carts through the edge: %q", status)
	}
	if r := s.do("GET", "/healthz", nil); r.Status != http.StatusOK {
		t.Fatalf("health check behind the edge: %d", r.Status)
	}
	cart := s.newCart(map[string]int{p.Variants[0].SKU: 1})
	var c struct {
		OrderID     string `json:"order_id"`
		AccessToken string `json:"access_token"`
	}
	s.mustStatus(s.do("POST", "/api/v1/checkout", checkoutBody(cart, "tok_visa"), "Idempotency-Key", "edge-1"), http.StatusCreated).decode(t, &c)

	// A stranger's 404 for the order page must not be cached for its owner,
	// and the order's live status stream passes the edge unbuffered.
	path = "/orders/" + c.OrderID + "/events"
	if r := s.do("GET", path, nil); r.Status != http.StatusNotFound {
		t.Fatalf("stranger on the order stream: %d", r.Status)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", s.base+path, nil)
	req.Header.Set("Cookie", "ps_orders="+c.OrderID+"."+c.AccessToken)
	res, err := s.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != "text/event-stream" {
		t.Fatalf("owner on the order stream: %d %q", res.StatusCode, res.Header.Get("Content-Type"))
	}
	br := bufio.NewReader(res.Body)
	for {
		line, err := br.ReadString('\n')
		if err != nil {
			t.Fatalf("stream ended before its first status event: %v", err)
		}
		if strings.HasPrefix(line, "event: status") {
			break
		}
	}
}
