package app_test

import (
	"bytes"
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

type couponView struct {
	Code string
	Used int
}

func (s *shop) couponUsed(code string) int {
	s.t.Helper()
	var list struct{ Items []couponView }
	s.mustStatus(s.admin("GET", "/api/v1/admin/coupons", nil), http.StatusOK).decode(s.t, &list)
	for _, c := range list.Items {
		if c.Code == code {
			return c.Used
		}
	}
	s.t.Fatalf("no coupon %s in %+v", code, list.Items)
	return 0
}

func (s *shop) addCoupon(code string, body map[string]any) {
	s.t.Helper()
	c := map[string]any{"code": code, "starts_at": time.Now().Add(-time.Minute).Format(time.RFC3339), "max_per_customer": 1}
	for k, v := range body {
		c[k] = v
	}
	s.mustStatus(s.admin("POST", "/api/v1/admin/coupons", c), http.StatusCreated)
}

func withCouponAndEmail(body map[string]any, coupon, email string) map[string]any {
	body["coupon"], body["email"] = coupon, email
	return body
}

// isCouponRefusal reports a 422 problem naming the coupon field.
func isCouponRefusal(r response) bool {
	return r.Status == http.StatusUnprocessableEntity && r.Header.Get("Content-Type") == "application/problem+json" &&
		bytes.Contains(r.Body, []byte(`"name":"coupon"`))
}

// 500 shoppers race for a coupon capped at 50: exactly 50 discounted orders,
// everyone else a 422 naming the coupon with nothing written (their stock
// stays on the shelf).
func TestCouponCapHoldsUnderConcurrency(t *testing.T) {
	for name, dsn := range engines(t) {
		t.Run(name, func(t *testing.T) {
			s := startShop(t, dsn(t))
			p := s.addProduct("coupon-mug", 1000, 1000)
			sku := p.Variants[0].SKU
			s.addCoupon("PEAK50", map[string]any{"kind": "percent", "value": 25, "scope": "cart", "max_uses": 50})
			const buyers = 500
			carts := make([]string, buyers)
			parallel(50, func(w int) {
				for i := w; i < buyers; i += 50 {
					carts[i] = s.newCart(map[string]int{sku: 1})
				}
			})
			var won, refused atomic.Int64
			parallel(buyers, func(i int) {
				body := withCouponAndEmail(checkoutBody(carts[i], "tok_visa"), "peak50", fmt.Sprintf("buyer%d@example.com", i))
				r := s.do("POST", "/api/v1/checkout", body, "Idempotency-Key", fmt.Sprintf("cap-%d", i))
				switch {
				case r.Status == http.StatusCreated && bytes.Contains(r.Body, []byte(`"amount":750`)):
					won.Add(1)
				case isCouponRefusal(r):
					refused.Add(1)
				default:
					t.Errorf("buyer %d: %d %s", i, r.Status, r.Body)
				}
			})
			if won.Load() != 50 || refused.Load() != buyers-50 {
				t.Fatalf("discounted %d, refused %d; want 50, %d", won.Load(), refused.Load(), buyers-50)
			}
			if n := s.couponUsed("PEAK50"); n != 50 {
				t.Fatalf("coupon used %d times, want 50", n)
			}
			if n := s.available(sku); n != 950 {
				t.Fatalf("stock %d, want 950", n)
			}
		})
	}
}

// Promotions priced exactly through the API: the cart shows them, checkout
// charges them plus the coupon, a future promotion does nothing, and the
// per-customer cap and a declined card's release hold.
func TestPromotionsEndToEnd(t *testing.T) {
	for name, dsn := range engines(t) {
		t.Run(name, func(t *testing.T) {
			s := startShop(t, dsn(t))
			a := s.addProduct("promo-lamp", 4999, 10)
			b := s.addProduct("promo-bulb", 350, 100)
			now := time.Now()
			s.mustStatus(s.admin("POST", "/api/v1/admin/promotions", map[string]any{"name": "Lamp deal", "kind": "percent", "value": 15,
				"scope": "product", "target_id": a.ID, "starts_at": now.Add(-time.Minute).Format(time.RFC3339)}), http.StatusCreated)
			s.mustStatus(s.admin("POST", "/api/v1/admin/promotions", map[string]any{"name": "Tomorrow", "kind": "percent", "value": 90,
				"scope": "cart", "starts_at": now.Add(24 * time.Hour).Format(time.RFC3339)}), http.StatusCreated)
			s.addCoupon("BULBS", map[string]any{"kind": "fixed", "value": 50, "scope": "product", "target_id": b.ID, "max_uses": 1})

			cart := s.newCart(map[string]int{a.Variants[0].SKU: 1, b.Variants[0].SKU: 4})
			var c struct {
				Discount        struct{ Amount int64 } `json:"discount"`
				DiscountedTotal struct{ Amount int64 } `json:"discounted_total"`
			}
			s.mustStatus(s.do("GET", "/api/v1/carts/"+cart, nil), http.StatusOK).decode(t, &c)
			// 15% of 4999 = 749.85 -> 750; the bulbs and the 90% are untouched.
			if c.Discount.Amount != 750 || c.DiscountedTotal.Amount != 4999+1400-750 {
				t.Fatalf("cart discount %d, discounted total %d", c.Discount.Amount, c.DiscountedTotal.Amount)
			}
			body := withCouponAndEmail(checkoutBody(cart, "tok_chargeDeclined"), "BULBS", "lamp@example.com")
			s.mustStatus(s.do("POST", "/api/v1/checkout", body, "Idempotency-Key", "promo-declined"), http.StatusPaymentRequired)
			if n := s.couponUsed("BULBS"); n != 0 {
				t.Fatalf("a declined card kept the coupon: used %d", n)
			}
			body = withCouponAndEmail(checkoutBody(cart, "tok_visa"), "BULBS", "lamp@example.com")
			var created struct {
				OrderID     string `json:"order_id"`
				AccessToken string `json:"access_token"`
				Total       struct{ Amount int64 }
			}
			s.mustStatus(s.do("POST", "/api/v1/checkout", body, "Idempotency-Key", "promo-paid"), http.StatusCreated).decode(t, &created)
			// 6399 - 750 - 4 x 50.
			if created.Total.Amount != 6399-750-200 {
				t.Fatalf("charged %d, want %d", created.Total.Amount, 6399-750-200)
			}
			r := s.mustStatus(s.do("GET", "/api/v1/orders/"+created.OrderID, nil, "Authorization", "Bearer "+created.AccessToken), http.StatusOK)
			if !bytes.Contains(r.Body, []byte(`"total":{"amount":5449`)) {
				t.Fatalf("order: %s", r.Body)
			}
			// The same shopper again: the per-customer cap (and the total cap) refuse.
			again := s.newCart(map[string]int{b.Variants[0].SKU: 1})
			r = s.do("POST", "/api/v1/checkout", withCouponAndEmail(checkoutBody(again, "tok_visa"), "BULBS", "LAMP@example.com"), "Idempotency-Key", "promo-again")
			if !isCouponRefusal(r) {
				t.Fatalf("second use: %d %s", r.Status, r.Body)
			}
		})
	}
}

// Per customer means per e-mail for guests: one guest is refused a second
// use while another guest still gets it.
func TestCouponPerCustomerCap(t *testing.T) {
	s := startShop(t, engines(t)["sqlite"](t))
	p := s.addProduct("percus-sock", 500, 50)
	sku := p.Variants[0].SKU
	s.addCoupon("ONEEACH", map[string]any{"kind": "percent", "value": 10, "scope": "cart", "max_uses": 100})
	use := func(key, email string) response {
		return s.do("POST", "/api/v1/checkout", withCouponAndEmail(checkoutBody(s.newCart(map[string]int{sku: 1}), "tok_visa"), "ONEEACH", email), "Idempotency-Key", key)
	}
	s.mustStatus(use("pc-1", "amy@example.com"), http.StatusCreated)
	if r := use("pc-2", "amy@example.com"); !isCouponRefusal(r) {
		t.Fatalf("second use by amy: %d %s", r.Status, r.Body)
	}
	s.mustStatus(use("pc-3", "ben@example.com"), http.StatusCreated)
	if n := s.couponUsed("ONEEACH"); n != 2 {
		t.Fatalf("used %d, want 2", n)
	}
}

// Whatever a client sends as a coupon, checkout answers 201 or a 4xx
// problem, never a 5xx, and a bad coupon writes nothing.
func FuzzCheckoutCoupon(f *testing.F) {
	for _, seed := range []string{"", "GOOD10", "good10", " GOOD10 ", "NOPE", "x", strings.Repeat("A", 33), "A B", "ÄÖÜ", "\x00", "GOOD10\n", `"`, "'; DROP TABLE coupons; --"} {
		f.Add(seed)
	}
	s := startShop(f, engines(nil)["sqlite"](f))
	p := s.addProduct("fuzz-cap", 100, 1_000_000)
	sku := p.Variants[0].SKU
	s.addCoupon("GOOD10", map[string]any{"kind": "percent", "value": 10, "scope": "cart", "max_uses": 1_000_000, "max_per_customer": 1_000_000})
	var n atomic.Int64
	f.Fuzz(func(t *testing.T, coupon string) {
		s.t = t
		i := n.Add(1)
		body := withCouponAndEmail(checkoutBody(s.newCart(map[string]int{sku: 1}), "tok_visa"), coupon, "fuzz@example.com")
		r := s.do("POST", "/api/v1/checkout", body, "Idempotency-Key", fmt.Sprintf("fuzz-%d", i))
		switch {
		case r.Status == http.StatusCreated:
		case r.Status >= 400 && r.Status < 500 && r.Header.Get("Content-Type") == "application/problem+json":
		default:
			t.Fatalf("coupon %q: %d %s", coupon, r.Status, r.Body)
		}
	})
}

// The promotion endpoints and a discounted cart and order answer what the
// OpenAPI document says.
func TestPromotionResponsesMatchOpenAPI(t *testing.T) {
	s := startShop(t, engines(t)["sqlite"](t))
	validate := schemaValidator(t)
	p := s.addProduct("schema-promo", 1000, 10)
	start := time.Now().Add(-time.Minute).Format(time.RFC3339)
	promo := s.admin("POST", "/api/v1/admin/promotions", map[string]any{"name": "Ten off", "kind": "percent", "value": 10, "scope": "product", "target_id": p.ID, "starts_at": start})
	var created struct{ ID int64 }
	promo.decode(t, &created)
	coupon := s.admin("POST", "/api/v1/admin/coupons", map[string]any{"code": "schema1", "kind": "fixed", "value": 100, "scope": "cart",
		"starts_at": start, "ends_at": time.Now().Add(time.Hour).Format(time.RFC3339), "max_uses": 5, "max_per_customer": 1})
	cart := s.newCart(map[string]int{p.Variants[0].SKU: 2})
	paid := s.do("POST", "/api/v1/checkout", withCouponAndEmail(checkoutBody(cart, "tok_visa"), "SCHEMA1", "schema@example.com"), "Idempotency-Key", "schema-promo")
	var c struct {
		OrderID     string `json:"order_id"`
		AccessToken string `json:"access_token"`
	}
	paid.decode(t, &c)
	checks := []struct {
		schema string
		r      response
		want   int
	}{
		{"Promotion", promo, 201},
		{"Coupon", coupon, 201},
		{"Cart", s.do("GET", "/api/v1/carts/"+s.newCart(map[string]int{p.Variants[0].SKU: 1}), nil), 200},
		{"CheckoutCreated", paid, 201},
		{"Order", s.do("GET", "/api/v1/orders/"+c.OrderID, nil, "Authorization", "Bearer "+c.AccessToken), 200},
		{"PromotionList", s.admin("GET", "/api/v1/admin/promotions", nil), 200},
		{"CouponList", s.admin("GET", "/api/v1/admin/coupons", nil), 200},
		{"Problem", s.admin("POST", "/api/v1/admin/coupons", map[string]any{"code": "x"}), 422},
		{"Problem", s.admin("POST", "/api/v1/admin/coupons", map[string]any{"code": "SCHEMA1", "kind": "fixed", "value": 100, "scope": "cart", "starts_at": start, "max_uses": 5, "max_per_customer": 1}), 409},
		{"Problem", s.do("GET", "/api/v1/admin/coupons", nil), 401},
		{"Problem", s.admin("DELETE", "/api/v1/admin/promotions/999999", nil), 404},
	}
	for _, ch := range checks {
		if ch.r.Status != ch.want {
			t.Errorf("%s: status %d, want %d: %s", ch.schema, ch.r.Status, ch.want, ch.r.Body)
			continue
		}
		if err := validate(ch.schema, ch.r.Body); err != nil {
			t.Errorf("%s does not match its schema: %v\n%s", ch.schema, err, ch.r.Body)
		}
	}
	if !bytes.Contains(checks[2].r.Body, []byte(`"discounted_total"`)) {
		t.Errorf("cart shows no discount: %s", checks[2].r.Body)
	}
	s.mustStatus(s.admin("DELETE", fmt.Sprintf("/api/v1/admin/promotions/%d", created.ID), nil), http.StatusNoContent)
	s.mustStatus(s.admin("DELETE", "/api/v1/admin/coupons/schema1", nil), http.StatusNoContent)
	if r := s.do("GET", "/api/v1/carts/"+cart, nil); bytes.Contains(r.Body, []byte("discount")) {
		t.Errorf("a checked-out cart after the promotion ended: %s", r.Body)
	}
}
