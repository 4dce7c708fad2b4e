package storetest

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/peakshop/peakshop/internal/domain/apperr"
	"github.com/peakshop/peakshop/internal/domain/catalog"
	"github.com/peakshop/peakshop/internal/domain/order"
	"github.com/peakshop/peakshop/internal/domain/promo"
	"github.com/peakshop/peakshop/internal/storage/sqlstore"
)

func mustSchedule(tb testing.TB, s *sqlstore.Store, d catalog.ChangeDraft) catalog.ScheduledChange {
	tb.Helper()
	c, err := s.ScheduleChange(context.Background(), d)
	if err != nil {
		tb.Fatalf("schedule %+v: %v", d, err)
	}
	return c
}

func priceOf(tb testing.TB, s *sqlstore.Store, productID int64, sku string) int64 {
	tb.Helper()
	p, err := s.AnyProductByID(context.Background(), productID)
	mustNoErr(tb, err, "read product")
	for _, v := range p.Variants {
		if v.SKU == sku {
			return v.Price.Amount
		}
	}
	tb.Fatalf("product %d has no SKU %s", productID, sku)
	return 0
}

// A change due in the past is applied exactly once by schedulers racing
// for it (goroutines on their own connections, as instances would be),
// with exactly one product.changed event.
func testScheduleRace(t *testing.T, s *sqlstore.Store) {
	ctx := context.Background()
	f := mustSeed(t, s)
	id := f.ids["wool-beanie"]
	mustSchedule(t, s, catalog.ChangeDraft{Kind: catalog.ChangePrice, ProductID: id, Price: usd(999), DueAt: time.Now().Add(time.Second)})
	before := len(productEvents(t, s))
	later := time.Now().Add(time.Minute)
	var applied atomic.Int64
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for {
				_, ok, err := s.ApplyDue(ctx, later)
				if err != nil {
					t.Errorf("apply: %v", err)
					return
				}
				if !ok {
					return
				}
				applied.Add(1)
			}
		})
	}
	wg.Wait()
	if applied.Load() != 1 {
		t.Fatalf("applied %d times, want 1", applied.Load())
	}
	if p := priceOf(t, s, id, "WB-1"); p != 999 {
		t.Fatalf("price = %d, want 999", p)
	}
	if n := len(productEvents(t, s)) - before; n != 1 {
		t.Fatalf("%d product.changed events, want 1", n)
	}
	done, err := s.ScheduledChanges(ctx, catalog.ChangeApplied, 10)
	mustNoErr(t, err, "list applied")
	if len(done) != 1 || done[0].Outcome == "" || done[0].ProductName != "Wool Beanie" {
		t.Fatalf("applied list = %+v", done)
	}
}

// Nothing applies before it is due; a launch makes a draft visible.
func testScheduleLaunch(t *testing.T, s *sqlstore.Store) {
	ctx := context.Background()
	mustSeed(t, s)
	d := newDraft("launch-shoe", "shoes", "LA-1")
	d.Published = boolp(false)
	p, err := s.CreateProduct(ctx, d)
	mustNoErr(t, err, "create draft")
	due := time.Now().Add(time.Hour)
	mustSchedule(t, s, catalog.ChangeDraft{Kind: catalog.ChangeLaunch, ProductID: p.ID, DueAt: due})
	if _, ok, err := s.ApplyDue(ctx, time.Now()); err != nil || ok {
		t.Fatalf("apply before due: %v, %v", ok, err)
	}
	wantHidden(t, s, p)
	c, ok, err := s.ApplyDue(ctx, due)
	if err != nil || !ok || c.Status != catalog.ChangeApplied {
		t.Fatalf("apply at due: %+v, %v, %v", c, ok, err)
	}
	if _, err := s.ProductBySlug(ctx, "launch-shoe"); err != nil {
		t.Fatalf("launched product: %v", err)
	}
}

// A price change with a revert time puts the old prices back then, and a
// cancelled change never applies.
func testScheduleRevert(t *testing.T, s *sqlstore.Store) {
	ctx := context.Background()
	f := mustSeed(t, s)
	id := f.ids["trail-runner"]
	start, end := time.Now().Add(time.Minute), time.Now().Add(time.Hour)
	mustSchedule(t, s, catalog.ChangeDraft{Kind: catalog.ChangePrice, ProductID: id, Price: usd(5000), DueAt: start, RevertAt: end})
	if _, ok, err := s.ApplyDue(ctx, start); err != nil || !ok {
		t.Fatalf("apply sale: %v, %v", ok, err)
	}
	if a, b := priceOf(t, s, id, "TR-40"), priceOf(t, s, id, "TR-41"); a != 5000 || b != 5000 {
		t.Fatalf("sale prices %d, %d; want 5000 both", a, b)
	}
	pending, err := s.ScheduledChanges(ctx, catalog.ChangePending, 10)
	mustNoErr(t, err, "pending")
	if len(pending) != 1 || pending[0].Kind != catalog.ChangeRevert || !pending[0].DueAt.Equal(end.Truncate(time.Microsecond)) {
		t.Fatalf("pending after sale = %+v", pending)
	}
	if _, ok, err := s.ApplyDue(ctx, end); err != nil || !ok {
		t.Fatalf("apply revert: %v, %v", ok, err)
	}
	if a, b := priceOf(t, s, id, "TR-40"), priceOf(t, s, id, "TR-41"); a != 7999 || b != 8999 {
		t.Fatalf("reverted prices %d, %d; want 7999, 8999", a, b)
	}

	c := mustSchedule(t, s, catalog.ChangeDraft{Kind: catalog.ChangePrice, ProductID: id, SKU: "TR-40", Price: usd(1), DueAt: start})
	mustNoErr(t, s.CancelChange(ctx, c.ID, time.Now()), "cancel")
	wantKind(t, s.CancelChange(ctx, c.ID, time.Now()), apperr.Conflict)
	wantKind(t, s.CancelChange(ctx, 424242, time.Now()), apperr.NotFound)
	if _, ok, err := s.ApplyDue(ctx, end); err != nil || ok {
		t.Fatalf("cancelled change applied: %v, %v", ok, err)
	}
	if p := priceOf(t, s, id, "TR-40"); p != 7999 {
		t.Fatalf("price after cancelled change = %d", p)
	}
}

// Bad drafts are refused field by field and write nothing.
func testScheduleInvalid(t *testing.T, s *sqlstore.Store) {
	ctx := context.Background()
	f := mustSeed(t, s)
	id := f.ids["trail-runner"]
	soon := time.Now().Add(time.Hour)
	cases := []struct {
		d     catalog.ChangeDraft
		field string
	}{
		{catalog.ChangeDraft{Kind: "sale", ProductID: id, DueAt: soon}, "kind"},
		{catalog.ChangeDraft{Kind: catalog.ChangeLaunch, DueAt: soon}, "product"},
		{catalog.ChangeDraft{Kind: catalog.ChangeLaunch, ProductID: id}, "due_at"},
		{catalog.ChangeDraft{Kind: catalog.ChangeLaunch, ProductID: id, DueAt: time.Now().Add(-time.Hour)}, "due_at"},
		{catalog.ChangeDraft{Kind: catalog.ChangePrice, ProductID: id, Price: usd(-1), DueAt: soon}, "price"},
		{catalog.ChangeDraft{Kind: catalog.ChangePrice, ProductID: id, Price: usd(1), DueAt: soon, RevertAt: soon}, "revert_at"},
		{catalog.ChangeDraft{Kind: catalog.ChangePrice, ProductID: id, SKU: "WB-1", Price: usd(1), DueAt: soon}, "sku"},
		{catalog.ChangeDraft{Kind: catalog.ChangeLaunch, ProductID: 999999, DueAt: soon}, "product"},
	}
	for _, c := range cases {
		_, err := s.ScheduleChange(ctx, c.d)
		wantField(t, err, c.field)
	}
	for _, st := range []catalog.ChangeStatus{catalog.ChangePending, catalog.ChangeApplied, catalog.ChangeCancelled, catalog.ChangeFailed} {
		cs, err := s.ScheduledChanges(ctx, st, 10)
		mustNoErr(t, err, "list")
		if len(cs) != 0 {
			t.Fatalf("%s: %+v written by refused drafts", st, cs)
		}
	}
}

// A change whose product is gone fails once, with a reason, and is not
// retried.
func testScheduleFails(t *testing.T, s *sqlstore.Store) {
	ctx := context.Background()
	f := mustSeed(t, s)
	id := f.ids["sun-hat"]
	due := time.Now().Add(time.Minute)
	mustSchedule(t, s, catalog.ChangeDraft{Kind: catalog.ChangePrice, ProductID: id, Price: usd(10), DueAt: due})
	mustNoErr(t, s.DeleteProduct(ctx, id), "delete")
	c, ok, err := s.ApplyDue(ctx, due)
	if err != nil || !ok || c.Status != catalog.ChangeFailed || c.Outcome == "" {
		t.Fatalf("apply on deleted product: %+v, %v, %v", c, ok, err)
	}
	if _, ok, err := s.ApplyDue(ctx, due); err != nil || ok {
		t.Fatalf("failed change retried: %v, %v", ok, err)
	}
}

// Cancelling a paid order gives its coupon use back, once, however many
// times the cancel runs at once: the cap counts only orders that stand.
func testCouponReleasedOnCancelPaid(t *testing.T, s *sqlstore.Store) {
	ctx := context.Background()
	mustSeed(t, s)
	mustCoupon(t, s, promo.Coupon{Code: "ONCE", Discount: promo.Discount{Kind: promo.Fixed, Value: 100, Scope: promo.Cart}, MaxUses: 2, MaxPerCustomer: 2})
	keep := mustBeginOrder(t, s, withCoupon(begin(mustCart(t, s, "WB-1", 1), "key-c0"), "ONCE"))
	mustNoErr(t, s.FinishCheckout(ctx, paid(keep.ID, `{}`)), "pay kept order")
	o := mustBeginOrder(t, s, withCoupon(begin(mustCart(t, s, "WB-1", 1), "key-c1"), "ONCE"))
	mustNoErr(t, s.FinishCheckout(ctx, paid(o.ID, `{}`)), "pay")
	if n := couponUsed(t, s, "ONCE"); n != 2 {
		t.Fatalf("used after two payments = %d, want 2", n)
	}
	var wg sync.WaitGroup
	for range 6 {
		wg.Go(func() {
			if err := s.CancelPaid(ctx, o.ID, "undeliverable", nil, time.Now()); err != nil {
				t.Errorf("cancel: %v", err)
			}
		})
	}
	wg.Wait()
	if n := couponUsed(t, s, "ONCE"); n != 1 {
		t.Fatalf("used after cancelling one of two = %d, want 1", n)
	}
	got, err := s.Order(ctx, o.ID)
	mustNoErr(t, err, "order")
	if got.Status != order.Cancelled {
		t.Fatalf("status = %s", got.Status)
	}
	// The slot is free again for another order.
	o3 := mustBeginOrder(t, s, withCoupon(begin(mustCart(t, s, "WB-1", 1), "key-c2"), "ONCE"))
	mustNoErr(t, s.FinishCheckout(ctx, paid(o3.ID, `{}`)), "pay third")
	if n := couponUsed(t, s, "ONCE"); n != 2 {
		t.Fatalf("used after re-use = %d, want 2", n)
	}
}
