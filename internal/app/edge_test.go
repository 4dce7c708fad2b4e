package app_test

import (
	"bytes"
	"fmt"
	"net/http"
	"testing"

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
	if r := s.do("GET", "/healthz", nil); r.Status != http.StatusOK {
		t.Fatalf("health check behind the edge: %d", r.Status)
	}
	cart := s.newCart(map[string]int{p.Variants[0].SKU: 1})
	s.mustStatus(s.do("POST", "/api/v1/checkout", checkoutBody(cart, "tok_visa"), "Idempotency-Key", "edge-1"), http.StatusCreated)
}
