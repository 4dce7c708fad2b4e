package app_test

import (
	"bytes"
	"fmt"
	"net/http"
	"sync/atomic"
	"testing"

	"github.com/peakshop/peakshop/internal/app"
)

// A flash sale: 1,000 buyers race for 100 units. Exactly 100 win, stock ends
// at 0 and never below, and everyone else gets a clean 409 naming the SKU.
func TestFlashSaleNeverOversells(t *testing.T) {
	for name, dsn := range engines(t) {
		t.Run(name, func(t *testing.T) {
			s := startShop(t, dsn(t))
			p := s.addProduct("flash-tv", 49900, 100)
			sku := p.Variants[0].SKU
			const buyers = 1000
			carts := make([]string, buyers)
			parallel(50, func(w int) {
				for i := w; i < buyers; i += 50 {
					carts[i] = s.newCart(map[string]int{sku: 1})
				}
			})
			var created, short, other atomic.Int64
			parallel(buyers, func(i int) {
				r := s.do("POST", "/api/v1/checkout", checkoutBody(carts[i], "tok_visa"), "Idempotency-Key", fmt.Sprintf("flash-%d", i))
				switch {
				case r.Status == http.StatusCreated:
					created.Add(1)
				case r.Status == http.StatusConflict && r.Header.Get("Content-Type") == "application/problem+json" && bytes.Contains(r.Body, []byte(sku)):
					short.Add(1)
				default:
					other.Add(1)
					t.Errorf("buyer %d: status %d: %s", i, r.Status, r.Body)
				}
			})
			if created.Load() != 100 || short.Load() != buyers-100 || other.Load() != 0 {
				t.Fatalf("created %d, out of stock %d, other %d; want 100, 900, 0", created.Load(), short.Load(), other.Load())
			}
			if n := s.available(sku); n != 0 {
				t.Fatalf("stock after the sale = %d, want 0", n)
			}
			var page struct{ Items []struct{ Status string } }
			s.mustStatus(s.admin("GET", "/api/v1/admin/orders?status=paid&limit=200", nil), http.StatusOK).decode(t, &page)
			if len(page.Items) != 100 {
				t.Fatalf("%d paid orders, want 100", len(page.Items))
			}
		})
	}
}

// Twenty retries of one checkout racing each other: one order, one charge,
// twenty identical answers.
func TestConcurrentRetriesPlaceOneOrder(t *testing.T) {
	for name, dsn := range engines(t) {
		t.Run(name, func(t *testing.T) {
			s := startShop(t, dsn(t))
			p := s.addProduct("retry-shoes", 8999, 10)
			sku := p.Variants[0].SKU
			cart := s.newCart(map[string]int{sku: 2})
			body := checkoutBody(cart, "tok_visa")
			answers := make([]response, 20)
			parallel(20, func(i int) {
				answers[i] = s.do("POST", "/api/v1/checkout", body, "Idempotency-Key", "retry-key-1")
			})
			replays := 0
			for i, a := range answers {
				if a.Status != http.StatusCreated || !bytes.Equal(a.Body, answers[0].Body) {
					t.Fatalf("answer %d: %d %s; want 201 %s", i, a.Status, a.Body, answers[0].Body)
				}
				if a.Header.Get("Idempotent-Replayed") == "true" {
					replays++
				}
			}
			if replays != 19 {
				t.Fatalf("%d replays, want 19", replays)
			}
			var created struct {
				OrderID string `json:"order_id"`
			}
			answers[0].decode(t, &created)
			if n, err := s.app.Store.PaymentCount(t.Context(), created.OrderID); err != nil || n != 1 {
				t.Fatalf("payments recorded for the order = %d (%v), want 1", n, err)
			}
			if st := s.app.Payment.Stats(); st.Charges != 1 {
				t.Fatalf("gateway captured %d charges, want 1", st.Charges)
			}
			var page struct{ Items []any }
			s.mustStatus(s.admin("GET", "/api/v1/admin/orders", nil), http.StatusOK).decode(t, &page)
			if len(page.Items) != 1 {
				t.Fatalf("%d orders, want 1", len(page.Items))
			}
			if n := s.available(sku); n != 8 {
				t.Fatalf("stock = %d, want 8", n)
			}
			// The same key with a different body is refused, and changes nothing.
			other := checkoutBody(cart, "tok_mastercard")
			r := s.do("POST", "/api/v1/checkout", other, "Idempotency-Key", "retry-key-1")
			if r.Status != http.StatusUnprocessableEntity {
				t.Fatalf("same key, other body: %d %s; want 422", r.Status, r.Body)
			}
		})
	}
}

// A declined card gives the stock back and reopens the cart for another try.
func TestDeclinedPaymentReleasesStock(t *testing.T) {
	for name, dsn := range engines(t) {
		t.Run(name, func(t *testing.T) {
			s := startShop(t, dsn(t))
			p := s.addProduct("decline-hat", 1500, 5)
			sku := p.Variants[0].SKU
			cart := s.newCart(map[string]int{sku: 3})
			r := s.do("POST", "/api/v1/checkout", checkoutBody(cart, "tok_chargeDeclined"), "Idempotency-Key", "declined-1")
			if r.Status != http.StatusPaymentRequired || r.Header.Get("Content-Type") != "application/problem+json" {
				t.Fatalf("declined: %d %s", r.Status, r.Body)
			}
			if n := s.available(sku); n != 5 {
				t.Fatalf("stock after a decline = %d, want 5", n)
			}
			again := s.do("POST", "/api/v1/checkout", checkoutBody(cart, "tok_chargeDeclined"), "Idempotency-Key", "declined-1")
			if again.Status != http.StatusPaymentRequired || !bytes.Equal(again.Body, r.Body) || again.Header.Get("Idempotent-Replayed") != "true" {
				t.Fatalf("replay of a decline: %d %s", again.Status, again.Body)
			}
			s.mustStatus(s.do("POST", "/api/v1/checkout", checkoutBody(cart, "tok_visa"), "Idempotency-Key", "declined-2"), http.StatusCreated)
			if n := s.available(sku); n != 2 {
				t.Fatalf("stock after paying = %d, want 2", n)
			}
		})
	}
}

// When the payment provider fails, nothing is held and the same key can be
// retried once the provider is back.
func TestFailedPaymentReleasesStockAndKey(t *testing.T) {
	for name, dsn := range engines(t) {
		t.Run(name, func(t *testing.T) {
			s := startShop(t, dsn(t), func(c *app.Config) { c.PaymentFailureRate = 1 })
			p := s.addProduct("fail-lamp", 2500, 4)
			sku := p.Variants[0].SKU
			cart := s.newCart(map[string]int{sku: 4})
			r := s.do("POST", "/api/v1/checkout", checkoutBody(cart, "tok_visa"), "Idempotency-Key", "fail-1")
			if r.Status != http.StatusServiceUnavailable || r.Header.Get("Retry-After") == "" {
				t.Fatalf("gateway down: %d %s", r.Status, r.Body)
			}
			if n := s.available(sku); n != 4 {
				t.Fatalf("stock after a failed payment = %d, want 4", n)
			}
			s.app.Payment.SetFailureRate(0)
			s.mustStatus(s.do("POST", "/api/v1/checkout", checkoutBody(cart, "tok_visa"), "Idempotency-Key", "fail-1"), http.StatusCreated)
			if n := s.available(sku); n != 0 {
				t.Fatalf("stock after the retry = %d, want 0", n)
			}
		})
	}
}

// Orders are readable with their access token only; everyone else gets 404.
func TestOrderNeedsAccessToken(t *testing.T) {
	s := startShop(t, engines(t)["sqlite"](t))
	p := s.addProduct("token-mug", 1200, 3)
	cart := s.newCart(map[string]int{p.Variants[0].SKU: 1})
	var c struct {
		OrderID     string `json:"order_id"`
		AccessToken string `json:"access_token"`
	}
	s.mustStatus(s.do("POST", "/api/v1/checkout", checkoutBody(cart, "tok_visa"), "Idempotency-Key", "tok-1"), http.StatusCreated).decode(t, &c)
	var o struct {
		Status string
		Lines  []struct{ SKU string }
	}
	s.mustStatus(s.do("GET", "/api/v1/orders/"+c.OrderID, nil, "Authorization", "Bearer "+c.AccessToken), http.StatusOK).decode(t, &o)
	if o.Status != "paid" || len(o.Lines) != 1 {
		t.Fatalf("order = %+v", o)
	}
	for _, h := range []string{"", "Bearer wrong", "Bearer " + adminToken} {
		if r := s.do("GET", "/api/v1/orders/"+c.OrderID, nil, "Authorization", h); r.Status != http.StatusNotFound {
			t.Fatalf("auth %q: %d, want 404", h, r.Status)
		}
	}
}
