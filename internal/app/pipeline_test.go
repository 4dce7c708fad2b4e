package app_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/peakshop/peakshop/internal/app"
)

// TestQueuedCheckoutShips drives the whole pipeline over HTTP: a queued
// checkout answers 202 at once, the relay starts the workflow, and the
// order reaches shipped with its timeline, on every engine.
func TestQueuedCheckoutShips(t *testing.T) {
	for name, dsn := range engines(t) {
		t.Run(name, func(t *testing.T) {
			s := startShop(t, dsn(t), func(c *app.Config) { c.Pipeline.Off, c.Pipeline.Queued = false, true })
			p := s.addProduct("queued-tee", 1500, 5)
			cart := s.newCart(map[string]int{p.Variants[0].SKU: 2})
			var created struct {
				OrderID     string `json:"order_id"`
				Status      string `json:"status"`
				AccessToken string `json:"access_token"`
			}
			s.mustStatus(s.do("POST", "/api/v1/checkout", checkoutBody(cart, "tok_visa"), "Idempotency-Key", "queued-1"), http.StatusAccepted).decode(t, &created)
			if created.Status != "payment_queued" {
				t.Fatalf("status %q, want payment_queued", created.Status)
			}
			var o struct {
				Status   string `json:"status"`
				Timeline []struct {
					Step string `json:"step"`
				} `json:"timeline"`
			}
			for deadline := time.Now().Add(time.Minute); (o.Status != "shipped" || len(o.Timeline) < 5) && time.Now().Before(deadline); time.Sleep(25 * time.Millisecond) {
				s.mustStatus(s.do("GET", "/api/v1/orders/"+created.OrderID, nil, "Authorization", "Bearer "+created.AccessToken), http.StatusOK).decode(t, &o)
			}
			if o.Status != "shipped" || len(o.Timeline) != 5 {
				t.Fatalf("order ended %s with timeline %+v", o.Status, o.Timeline)
			}
			if got := s.available(p.Variants[0].SKU); got != 3 {
				t.Errorf("available = %d, want 3", got)
			}
		})
	}
}
