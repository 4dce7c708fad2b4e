package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/peakshop/peakshop/internal/domain/promo"
)

// The cart and checkout pages show the server's promotion lines, the coupon
// and the discounted total, and the order is charged exactly that total.
func TestCartAndCheckoutShowDiscounts(t *testing.T) {
	s := startShop(t)
	ctx := context.Background()
	open := promo.Window{StartsAt: time.Now().Add(-time.Hour)}
	if _, err := s.app.Store.CreatePromotion(ctx, promo.Promotion{Name: "Autumn 10% off everything",
		Discount: promo.Discount{Kind: promo.Percent, Value: 10, Scope: promo.Cart}, Window: open}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.app.Store.CreateCoupon(ctx, promo.Coupon{Code: "FIVE", Discount: promo.Discount{Kind: promo.Fixed, Value: 500, Scope: promo.Cart},
		Window: open, MaxUses: 10, MaxPerCustomer: 1}); err != nil {
		t.Fatal(err)
	}
	b := s.browser()
	wantStatus(t, b.post("/cart/items", url.Values{"sku": {"TR-42"}}), http.StatusSeeOther, "add")
	// 89.99 - 10% (9.00) = 80.99.
	wantContains(t, b.get("/cart"), "cart", "Autumn 10% off everything", "−$9.00", "$80.99", `id="f-coupon"`)

	p := b.get("/cart?coupon=nope")
	wantContains(t, p, "bad coupon", `id="e-coupon"`, "is not a coupon code we know", `value="NOPE"`, "$80.99")
	if strings.Contains(p.Body, "/checkout?coupon=") {
		t.Error("a refused coupon is carried to checkout")
	}
	// 80.99 - 5.00 = 75.99.
	p = b.get("/cart?coupon=five")
	wantContains(t, p, "coupon", "Coupon FIVE", "−$5.00", "$75.99", "/checkout?coupon=FIVE")

	p = b.get("/checkout?coupon=FIVE")
	wantContains(t, p, "checkout", "Autumn 10% off everything", "Coupon FIVE", "Pay $75.99", `value="FIVE"`)
	wantContains(t, b.get("/checkout?coupon=ZZZ"), "checkout bad coupon", `id="e-coupon"`, "Pay $80.99")

	f := checkoutForm(b, "tok_visa")
	f.Set("coupon", "five")
	p = b.post("/checkout", f)
	if p.Status != http.StatusSeeOther {
		t.Fatalf("checkout: %d %s", p.Status, p.Body)
	}
	id := strings.TrimSuffix(strings.TrimPrefix(p.Header.Get("Location"), "/orders/"), "/confirmation")
	o, err := s.app.Store.Order(ctx, id)
	if err != nil || o.Total.Amount != 7599 {
		t.Fatalf("order %s total = %+v, %v; the checkout page said $75.99", id, o.Total, err)
	}
}
