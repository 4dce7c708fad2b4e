package storetest

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/peakshop/peakshop/internal/domain/apperr"
	"github.com/peakshop/peakshop/internal/domain/cart"
	"github.com/peakshop/peakshop/internal/domain/order"
	"github.com/peakshop/peakshop/internal/domain/promo"
	"github.com/peakshop/peakshop/internal/storage/sqlstore"
)

// openWindow is a window that opened an hour ago and never ends.
func openWindow() promo.Window { return promo.Window{StartsAt: time.Now().Add(-time.Hour)} }

func mustCoupon(tb testing.TB, s *sqlstore.Store, c promo.Coupon) promo.Coupon {
	tb.Helper()
	if c.Window.StartsAt.IsZero() {
		c.Window = openWindow()
	}
	c, err := s.CreateCoupon(context.Background(), c)
	if err != nil {
		tb.Fatalf("create coupon: %v", err)
	}
	return c
}

func mustCategoryID(tb testing.TB, s *sqlstore.Store, slug string) int64 {
	tb.Helper()
	cs, err := s.Categories(context.Background())
	mustNoErr(tb, err, "categories")
	for _, c := range cs {
		if c.Slug == slug {
			return c.ID
		}
	}
	tb.Fatalf("no category %q", slug)
	return 0
}

func couponUsed(tb testing.TB, s *sqlstore.Store, code string) int {
	tb.Helper()
	cs, err := s.Coupons(context.Background())
	mustNoErr(tb, err, "coupons")
	for _, c := range cs {
		if c.Code == code {
			return c.Used
		}
	}
	tb.Fatalf("no coupon %q", code)
	return 0
}

func withCoupon(b order.Begin, code string) order.Begin { b.Coupon = code; return b }

// A category promotion and a cart coupon priced into the order and the cart.
func testPromotionsPriced(t *testing.T, s *sqlstore.Store) {
	ctx := context.Background()
	mustSeed(t, s)
	hats := mustCategoryID(t, s, "hats")
	_, err := s.CreatePromotion(ctx, promo.Promotion{Name: "Hat week", Discount: promo.Discount{Kind: promo.Percent, Value: 10, Scope: promo.Category, TargetID: hats}, Window: openWindow()})
	mustNoErr(t, err, "create promotion")
	_, err = s.CreatePromotion(ctx, promo.Promotion{Name: "Next week", Discount: promo.Discount{Kind: promo.Percent, Value: 90, Scope: promo.Cart},
		Window: promo.Window{StartsAt: time.Now().Add(time.Hour)}})
	mustNoErr(t, err, "create future promotion")
	mustCoupon(t, s, promo.Coupon{Code: "FIVER", Discount: promo.Discount{Kind: promo.Fixed, Value: 500, Scope: promo.Cart}, MaxUses: 10, MaxPerCustomer: 1})

	cartID := mustCart(t, s, "WB-1", 2, "TR-40", 1)
	c, err := s.Cart(ctx, cartID)
	mustNoErr(t, err, "cart")
	// WB-1: 3998 - 10% (399.8 -> 400); the future 90% is not applied.
	if c.Discount != usd(400) || c.DiscountedTotal != usd(3998+7999-400) || c.Items[0].Discount != usd(400) || c.Items[1].Discount.Amount != 0 {
		t.Fatalf("cart = %+v", c)
	}
	o := mustBeginOrder(t, s, withCoupon(begin(cartID, "key-promo"), "FIVER"))
	// Left after the promotion: TR-40 7999, WB-1 3598 (lines in SKU order).
	// 500 spread: 7999*500/11597 = 344.87 -> 345 on TR-40, 155 on WB-1.
	if o.Total != usd(3998+7999-400-500) || o.Lines[0].Discount != usd(345) || o.Lines[1].Discount != usd(555) ||
		o.Lines[1].LineTotal != usd(3998-555) {
		t.Fatalf("order = %+v", o)
	}
	stored, err := s.Order(ctx, o.ID)
	mustNoErr(t, err, "order")
	if stored.Total != o.Total {
		t.Errorf("stored total %v, want %v", stored.Total, o.Total)
	}
	if n := couponUsed(t, s, "FIVER"); n != 1 {
		t.Errorf("used = %d, want 1", n)
	}
}

// Unknown, expired, not yet valid, used-up and inapplicable coupons refuse
// the checkout on field "coupon" and write nothing: no key, no stock taken,
// the cart still open.
func testCouponRefused(t *testing.T, s *sqlstore.Store) {
	ctx := context.Background()
	f := mustSeed(t, s)
	now := time.Now()
	mustCoupon(t, s, promo.Coupon{Code: "OLD", Discount: promo.Discount{Kind: promo.Percent, Value: 10, Scope: promo.Cart},
		Window: promo.Window{StartsAt: now.Add(-2 * time.Hour), EndsAt: now.Add(-time.Hour)}, MaxUses: 5, MaxPerCustomer: 1})
	mustCoupon(t, s, promo.Coupon{Code: "SOON", Discount: promo.Discount{Kind: promo.Percent, Value: 10, Scope: promo.Cart},
		Window: promo.Window{StartsAt: now.Add(time.Hour)}, MaxUses: 5, MaxPerCustomer: 1})
	mustCoupon(t, s, promo.Coupon{Code: "SHOES", Discount: promo.Discount{Kind: promo.Percent, Value: 10, Scope: promo.Product, TargetID: f.ids["trail-runner"]}, MaxUses: 5, MaxPerCustomer: 1})
	mustCoupon(t, s, promo.Coupon{Code: "ONCE", Discount: promo.Discount{Kind: promo.Fixed, Value: 100, Scope: promo.Cart}, MaxUses: 1, MaxPerCustomer: 1})
	first := mustBeginOrder(t, s, withCoupon(begin(mustCart(t, s, "WB-1", 1), "key-once"), "ONCE"))
	if first.Total != usd(1899) {
		t.Fatalf("first total %v", first.Total)
	}
	for _, code := range []string{"NOPE", "OLD", "SOON", "SHOES", "ONCE"} {
		cartID := mustCart(t, s, "WB-1", 1)
		_, err := s.BeginCheckout(ctx, withCoupon(begin(cartID, "key-"+code), code))
		wantKind(t, err, apperr.Invalid)
		wantField(t, err, "coupon")
		if _, err := s.IdempotencyRecord(ctx, "key-"+code); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("%s: key was written: %v", code, err)
		}
		wantCartStatus(t, s, cartID, cart.Open)
	}
	wantStock(t, s, map[string]int{"WB-1": 99})
	if n := couponUsed(t, s, "ONCE"); n != 1 {
		t.Errorf("ONCE used %d, want 1", n)
	}
}

// One e-mail (any case) or one account may use a coupon MaxPerCustomer
// times; others still can.
func testCouponPerCustomer(t *testing.T, s *sqlstore.Store) {
	ctx := context.Background()
	mustSeed(t, s)
	mustCoupon(t, s, promo.Coupon{Code: "TWICE", Discount: promo.Discount{Kind: promo.Percent, Value: 50, Scope: promo.Cart}, MaxUses: 100, MaxPerCustomer: 2})
	try := func(key, email string) error {
		b := withCoupon(begin(mustCart(t, s, "WB-1", 1), key), "TWICE")
		b.Email = email
		_, err := s.BeginCheckout(ctx, b)
		return err
	}
	mustNoErr(t, try("k1", "ada@example.com"), "first use")
	mustNoErr(t, try("k2", "ADA@example.com"), "second use")
	err := try("k3", "Ada@Example.com")
	wantKind(t, err, apperr.Invalid)
	wantField(t, err, "coupon")
	mustNoErr(t, try("k4", "bob@example.com"), "another customer")
	if n := couponUsed(t, s, "TWICE"); n != 3 {
		t.Errorf("used = %d, want 3", n)
	}
}

// A declined payment gives the coupon use back, exactly as it gives the
// stock back; a paid one keeps it.
func testCouponReleasedOnDecline(t *testing.T, s *sqlstore.Store) {
	ctx := context.Background()
	mustSeed(t, s)
	mustCoupon(t, s, promo.Coupon{Code: "SOLO", Discount: promo.Discount{Kind: promo.Fixed, Value: 100, Scope: promo.Cart}, MaxUses: 1, MaxPerCustomer: 1})
	o := mustBeginOrder(t, s, withCoupon(begin(mustCart(t, s, "WB-1", 1), "key-d1"), "SOLO"))
	mustNoErr(t, s.FinishCheckout(ctx, order.Settlement{OrderID: o.ID, Status: order.PaymentDeclined, Reason: "card_declined", Now: time.Now(), Result: []byte(`{}`)}), "decline")
	if n := couponUsed(t, s, "SOLO"); n != 0 {
		t.Fatalf("used after decline = %d, want 0", n)
	}
	o2 := mustBeginOrder(t, s, withCoupon(begin(mustCart(t, s, "WB-1", 1), "key-d2"), "SOLO"))
	mustNoErr(t, s.FinishCheckout(ctx, paid(o2.ID, `{}`)), "pay")
	if n := couponUsed(t, s, "SOLO"); n != 1 {
		t.Fatalf("used after payment = %d, want 1", n)
	}
}

// Many buyers race for a coupon capped at 50: exactly 50 get it, the rest
// are refused on field "coupon", and the count never passes the cap.
func testCouponCapRace(t *testing.T, s *sqlstore.Store) {
	ctx := context.Background()
	mustSeed(t, s)
	const buyers, capped = 200, 50
	mustCoupon(t, s, promo.Coupon{Code: "RACE50", Discount: promo.Discount{Kind: promo.Percent, Value: 20, Scope: promo.Cart}, MaxUses: capped, MaxPerCustomer: 1})
	carts := mustCarts(t, s, buyers, func(int) []any { return []any{"WB-1", 1} })
	var won, refused atomic.Int64
	var wg sync.WaitGroup
	for i := range buyers {
		wg.Go(func() {
			b := withCoupon(begin(carts[i], fmt.Sprintf("race-%d", i)), "RACE50")
			b.Email = fmt.Sprintf("buyer%d@example.com", i)
			begun, err := s.BeginCheckout(ctx, b)
			switch {
			case err == nil && begun.Order != nil && begun.Order.Total == usd(1599):
				won.Add(1)
			case apperr.Is(err, apperr.Invalid):
				refused.Add(1)
			default:
				t.Errorf("buyer %d: %+v, %v", i, begun, err)
			}
		})
	}
	wg.Wait()
	if won.Load() != capped || refused.Load() != buyers-capped {
		t.Fatalf("won %d, refused %d; want %d, %d", won.Load(), refused.Load(), capped, buyers-capped)
	}
	if n := couponUsed(t, s, "RACE50"); n != capped {
		t.Fatalf("used = %d, want %d", n, capped)
	}
	wantStock(t, s, map[string]int{"WB-1": 100 - capped})
}

// Admin CRUD: validation, conflicts, listing and deletion.
func testPromoAdmin(t *testing.T, s *sqlstore.Store) {
	ctx := context.Background()
	_, err := s.CreatePromotion(ctx, promo.Promotion{Name: "", Discount: promo.Discount{Kind: "half", Value: 0, Scope: promo.Product}})
	wantKind(t, err, apperr.Invalid)
	p, err := s.CreatePromotion(ctx, promo.Promotion{Name: "All", Discount: promo.Discount{Kind: promo.Percent, Value: 5, Scope: promo.Cart}, Window: openWindow()})
	mustNoErr(t, err, "create")
	ps, err := s.Promotions(ctx, time.Now())
	mustNoErr(t, err, "list")
	if len(ps) != 1 || ps[0].ID != p.ID || ps[0].Value != 5 {
		t.Fatalf("promotions = %+v", ps)
	}
	mustNoErr(t, s.DeletePromotion(ctx, p.ID), "delete")
	wantKind(t, s.DeletePromotion(ctx, p.ID), apperr.NotFound)
	mustCoupon(t, s, promo.Coupon{Code: "dup", Discount: promo.Discount{Kind: promo.Fixed, Value: 1, Scope: promo.Cart}, MaxUses: 1, MaxPerCustomer: 1})
	_, err = s.CreateCoupon(ctx, promo.Coupon{Code: "DUP", Discount: promo.Discount{Kind: promo.Fixed, Value: 1, Scope: promo.Cart}, Window: openWindow(), MaxUses: 1, MaxPerCustomer: 1})
	wantKind(t, err, apperr.Conflict)
	mustNoErr(t, s.DeleteCoupon(ctx, "DUP"), "delete coupon")
	wantKind(t, s.DeleteCoupon(ctx, "DUP"), apperr.NotFound)
}

// One customer racing themself for a coupon they may use three times gets
// exactly three.
func testCouponPerCustomerRace(t *testing.T, s *sqlstore.Store) {
	ctx := context.Background()
	mustSeed(t, s)
	mustCoupon(t, s, promo.Coupon{Code: "THRICE", Discount: promo.Discount{Kind: promo.Fixed, Value: 100, Scope: promo.Cart}, MaxUses: 100, MaxPerCustomer: 3})
	const tries = 30
	carts := mustCarts(t, s, tries, func(int) []any { return []any{"WB-1", 1} })
	var won, refused atomic.Int64
	var wg sync.WaitGroup
	for i := range tries {
		wg.Go(func() {
			_, err := s.BeginCheckout(ctx, withCoupon(begin(carts[i], fmt.Sprintf("self-%d", i)), "THRICE"))
			switch {
			case err == nil:
				won.Add(1)
			case apperr.Is(err, apperr.Invalid):
				refused.Add(1)
			default:
				t.Errorf("try %d: %v", i, err)
			}
		})
	}
	wg.Wait()
	if won.Load() != 3 || refused.Load() != tries-3 || couponUsed(t, s, "THRICE") != 3 {
		t.Fatalf("won %d, refused %d, used %d; want 3, %d, 3", won.Load(), refused.Load(), couponUsed(t, s, "THRICE"), tries-3)
	}
}
