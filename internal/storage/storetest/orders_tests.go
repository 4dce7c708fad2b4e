package storetest

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/peakshop/peakshop/internal/domain/apperr"
	"github.com/peakshop/peakshop/internal/domain/order"
	"github.com/peakshop/peakshop/internal/platform/ids"
	"github.com/peakshop/peakshop/internal/storage/sqlstore"
)

// beginAt is begin with the order created at a chosen time.
func beginAt(cartID, key string, at time.Time) order.Begin {
	b := begin(cartID, key)
	b.Now, b.OrderID = at, ids.New("ord", at)
	return b
}

func orderIDs(os []order.Order) []string {
	out := []string{}
	for _, o := range os {
		out = append(out, o.ID)
	}
	return out
}

func testPendingOrders(t *testing.T, s *sqlstore.Store) {
	ctx := context.Background()
	mustSeed(t, s)
	base := time.Now().Add(-time.Hour)
	var made []*order.Order
	for i := range 4 {
		made = append(made, mustBeginOrder(t, s, beginAt(mustCart(t, s, "WB-1", i+1), "key-pending-"+itoa(i), base.Add(time.Duration(i)*time.Minute))))
	}
	mustNoErr(t, s.FinishCheckout(ctx, paid(made[1].ID, `{}`)), "pay one")
	got, err := s.PendingOrders(ctx, base.Add(150*time.Second), 10)
	mustNoErr(t, err, "pending")
	if want := []string{made[0].ID, made[2].ID}; !slices.Equal(orderIDs(got), want) {
		t.Errorf("pending = %v, want %v", orderIDs(got), want)
	}
	if len(got) == 2 && (got[1].Total != usd(3*1999) || len(got[1].Lines) != 1 || got[1].Status != order.PendingPayment) {
		t.Errorf("pending order = %+v", got[1])
	}
	got, _ = s.PendingOrders(ctx, time.Now(), 2)
	if want := []string{made[0].ID, made[2].ID}; !slices.Equal(orderIDs(got), want) {
		t.Errorf("pending with limit = %v, want %v", orderIDs(got), want)
	}
}

func testListOrders(t *testing.T, s *sqlstore.Store) {
	ctx := context.Background()
	mustSeed(t, s)
	base := time.Now().Add(-time.Hour)
	var made []string
	for i := range 5 {
		o := mustBeginOrder(t, s, beginAt(mustCart(t, s, "WB-1", 1, "TR-41", 1), "key-list-"+itoa(i), base.Add(time.Duration(i)*time.Second)))
		made = append(made, o.ID)
	}
	mustNoErr(t, s.FinishCheckout(ctx, paid(made[1], `{}`)), "pay")
	mustNoErr(t, s.FinishCheckout(ctx, paid(made[3], `{}`)), "pay")
	newest := slices.Clone(made)
	slices.Reverse(newest)
	tests := []struct {
		name string
		q    order.Query
		want []string
	}{
		{"all newest first", order.Query{}, newest},
		{"page", order.Query{Limit: 2}, newest[:2]},
		{"before cursor", order.Query{Limit: 2, Before: newest[1]}, newest[2:4]},
		{"status", order.Query{Status: order.Paid}, []string{made[3], made[1]}},
		{"status and cursor", order.Query{Status: order.PendingPayment, Before: made[2]}, []string{made[0]}},
		{"nothing", order.Query{Status: order.Cancelled}, []string{}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := s.ListOrders(ctx, tc.q)
			mustNoErr(t, err, "list")
			if !slices.Equal(orderIDs(got), tc.want) {
				t.Errorf("got %v, want %v", orderIDs(got), tc.want)
			}
			for _, o := range got {
				if len(o.Lines) != 2 {
					t.Errorf("order %s has %d lines, want 2", o.ID, len(o.Lines))
				}
			}
		})
	}
}

func testPruneIdempotencyKeys(t *testing.T, s *sqlstore.Store) {
	ctx := context.Background()
	mustSeed(t, s)
	old := time.Now().Add(-48 * time.Hour)
	done := mustBeginOrder(t, s, beginAt(mustCart(t, s, "WB-1", 1), "key-old-done", old))
	mustNoErr(t, s.FinishCheckout(ctx, paid(done.ID, `{}`)), "pay")
	mustBeginOrder(t, s, beginAt(mustCart(t, s, "WB-1", 1), "key-old-pending", old))
	fresh := mustBeginOrder(t, s, begin(mustCart(t, s, "WB-1", 1), "key-fresh-done"))
	mustNoErr(t, s.FinishCheckout(ctx, paid(fresh.ID, `{}`)), "pay")

	n, err := s.PruneIdempotencyKeys(ctx, time.Now().Add(-24*time.Hour))
	mustNoErr(t, err, "prune")
	if n != 1 {
		t.Errorf("pruned %d keys, want 1", n)
	}
	_, err = s.IdempotencyRecord(ctx, "key-old-done")
	wantKind(t, err, apperr.NotFound)
	for _, k := range []string{"key-old-pending", "key-fresh-done"} {
		if _, err := s.IdempotencyRecord(ctx, k); err != nil {
			t.Errorf("key %s: %v", k, err)
		}
	}
}

func testSettings(t *testing.T, s *sqlstore.Store) {
	ctx := context.Background()
	_, err := s.Setting(ctx, "admin_token_hash")
	wantKind(t, err, apperr.NotFound)
	v, err := s.InitSetting(ctx, "admin_token_hash", "first")
	mustNoErr(t, err, "init")
	if v != "first" {
		t.Errorf("init = %q, want first", v)
	}
	v, err = s.InitSetting(ctx, "admin_token_hash", "second")
	mustNoErr(t, err, "init again")
	if v != "first" {
		t.Errorf("second init = %q, want the stored first", v)
	}
	v, err = s.Setting(ctx, "admin_token_hash")
	mustNoErr(t, err, "get")
	if v != "first" {
		t.Errorf("setting = %q", v)
	}
}

// testTimeRoundTrip proves times come back as the same instant in UTC, to the
// microsecond, whatever zone they went in with.
func testTimeRoundTrip(t *testing.T, s *sqlstore.Store) {
	ctx := context.Background()
	mustSeed(t, s)
	zone := time.FixedZone("UTC+5:30", 5*3600+1800)
	at := time.Date(2031, 11, 28, 23, 59, 58, 123456789, zone)
	want := at.Truncate(time.Microsecond).UTC()

	cartID := ids.New("cart", at)
	mustNoErr(t, s.CreateCart(ctx, cartID, at), "create cart")
	c, err := s.Cart(ctx, cartID)
	mustNoErr(t, err, "cart")
	if !c.UpdatedAt.Equal(want) || c.UpdatedAt.Location() != time.UTC {
		t.Errorf("cart updated_at = %v, want %v", c.UpdatedAt, want)
	}
	mustNoErr(t, s.SetQuantity(ctx, cartID, "WB-1", 1, at), "add")
	b := begin(cartID, "key-time")
	b.Now = at
	mustBeginOrder(t, s, b)
	o, err := s.Order(ctx, b.OrderID)
	mustNoErr(t, err, "order")
	if !o.CreatedAt.Equal(want) || o.CreatedAt.Location() != time.UTC || !o.UpdatedAt.Equal(want) {
		t.Errorf("order times = %v / %v, want %v", o.CreatedAt, o.UpdatedAt, want)
	}
	rec, err := s.IdempotencyRecord(ctx, "key-time")
	mustNoErr(t, err, "record")
	if !rec.CreatedAt.Equal(want) {
		t.Errorf("key created_at = %v, want %v", rec.CreatedAt, want)
	}
	// Before and after the instant, to the microsecond.
	pending, _ := s.PendingOrders(ctx, want, 10)
	if len(pending) != 0 {
		t.Errorf("order created at %v counted as created before it", want)
	}
	pending, _ = s.PendingOrders(ctx, want.Add(time.Microsecond), 10)
	if len(pending) != 1 {
		t.Errorf("order created at %v not counted as created before %v", want, want.Add(time.Microsecond))
	}
}
