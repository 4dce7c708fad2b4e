package storetest

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/peakshop/peakshop/internal/domain/apperr"
	"github.com/peakshop/peakshop/internal/domain/cart"
	"github.com/peakshop/peakshop/internal/domain/event"
	"github.com/peakshop/peakshop/internal/domain/order"
	"github.com/peakshop/peakshop/internal/platform/ids"
	"github.com/peakshop/peakshop/internal/storage/sqlstore"
)

// begin is a checkout of cartID under key, with a fresh order id.
func begin(cartID, key string) order.Begin {
	now := time.Now()
	return order.Begin{
		IdempotencyKey: key, RequestHash: "hash-" + key, OrderID: ids.New("ord", now), CartID: cartID,
		Email: "shopper@example.com", Currency: Currency, Now: now,
		Address: order.Address{Name: "Ada", Line1: "1 Main St", City: "Springfield", PostalCode: "12345", Country: "US"},
		OutOfStock: func(short []apperr.Shortage) ([]byte, error) {
			return json.Marshal(map[string]any{"outcome": "out_of_stock", "shortages": short})
		},
	}
}

func paid(orderID string, result string) order.Settlement {
	return order.Settlement{OrderID: orderID, Status: order.Paid, Now: time.Now(), Result: []byte(result),
		Payment: &order.PaymentRecord{Provider: "simulator", ChargeID: "ch_" + orderID, Amount: usd(1), IdempotencyKey: orderID + ":charge"}}
}

// paidWith is paid carrying the order as the checkout holds it, which lets
// an engine settle in one statement (PostgreSQL's writable CTEs).
func paidWith(o *order.Order, result string) order.Settlement {
	st := paid(o.ID, result)
	st.Order = o
	return st
}

func mustBeginOrder(tb testing.TB, s *sqlstore.Store, b order.Begin) *order.Order {
	tb.Helper()
	begun, err := s.BeginCheckout(context.Background(), b)
	if err != nil {
		tb.Fatalf("begin checkout: %v", err)
	}
	if begun.Order == nil || begun.Existing != nil || begun.Shortages != nil {
		tb.Fatalf("begin checkout = %+v, want only an order", begun)
	}
	return begun.Order
}

func wantCartStatus(tb testing.TB, s *sqlstore.Store, id string, want cart.Status) {
	tb.Helper()
	c, err := s.Cart(context.Background(), id)
	if err != nil {
		tb.Fatalf("cart: %v", err)
	}
	if c.Status != want {
		tb.Errorf("cart status = %q, want %q", c.Status, want)
	}
}

func testCheckoutPaid(t *testing.T, s *sqlstore.Store) {
	ctx := context.Background()
	mustSeed(t, s)
	cartID := mustCart(t, s, "WB-1", 2, "TR-40", 1)
	b := begin(cartID, "key-paid")
	o := mustBeginOrder(t, s, b)
	if o.ID != b.OrderID || o.Status != order.PendingPayment || o.Total != usd(2*1999+7999) || o.CartID != cartID ||
		len(o.Lines) != 2 || o.Lines[0].SKU != "TR-40" || o.Lines[1].LineTotal != usd(3998) ||
		o.Lines[0].Name != "Trail Runner (EU 40)" {
		t.Errorf("order = %+v", o)
	}
	wantStock(t, s, map[string]int{"WB-1": 98, "TR-40": 4})
	wantCartStatus(t, s, cartID, cart.CheckedOut)
	rec, err := s.IdempotencyRecord(ctx, "key-paid")
	mustNoErr(t, err, "record")
	if rec.Done || rec.OrderID != o.ID || rec.RequestHash != "hash-key-paid" {
		t.Errorf("record while pending = %+v", rec)
	}
	stored, err := s.Order(ctx, o.ID)
	mustNoErr(t, err, "order")
	if stored.Email != b.Email || stored.ShippingAddress != b.Address || stored.Total != o.Total ||
		len(stored.Lines) != 2 || stored.Lines[1] != o.Lines[1] {
		t.Errorf("stored order = %+v, want %+v", stored, o)
	}

	mustNoErr(t, s.FinishCheckout(ctx, paidWith(o, `{"outcome":"created"}`)), "finish")
	stored, _ = s.Order(ctx, o.ID)
	if stored.Status != order.Paid {
		t.Errorf("status = %q, want paid", stored.Status)
	}
	if n, _ := s.PaymentCount(ctx, o.ID); n != 1 {
		t.Errorf("payments = %d, want 1", n)
	}
	rec, _ = s.IdempotencyRecord(ctx, "key-paid")
	if !rec.Done || string(rec.Result) != `{"outcome":"created"}` {
		t.Errorf("record when done = %+v", rec)
	}

	evs, err := s.UnsentEvents(ctx, 1000)
	mustNoErr(t, err, "outbox")
	paidEvents := 0
	for _, e := range evs {
		if e.Event.Type == event.OrderPaid && e.Event.Key == o.ID {
			paidEvents++
		}
		// The stream keeps events for days and hands them to every
		// consumer: no shopper's address goes with them.
		if o.Email != "" && strings.Contains(string(e.Event.Data), o.Email) {
			t.Errorf("%s event carries the buyer's e-mail: %s", e.Event.Type, e.Event.Data)
		}
	}
	if paidEvents != 1 {
		t.Errorf("order.paid events = %d, want 1", paidEvents)
	}

	// Settling again is a Conflict and changes nothing.
	wantKind(t, s.FinishCheckout(ctx, paid(o.ID, `{}`)), apperr.Conflict)
	wantKind(t, s.FinishCheckout(ctx, paidWith(o, `{}`)), apperr.Conflict)
	unknown := *o
	unknown.ID = "ord_unknown"
	wantKind(t, s.FinishCheckout(ctx, paidWith(&unknown, `{}`)), apperr.NotFound)
	declined := order.Settlement{OrderID: o.ID, Status: order.PaymentDeclined, Now: time.Now(), Result: []byte(`{}`)}
	wantKind(t, s.FinishCheckout(ctx, declined), apperr.Conflict)
	wantStock(t, s, map[string]int{"WB-1": 98, "TR-40": 4})
	wantCartStatus(t, s, cartID, cart.CheckedOut)
	wantKind(t, s.FinishCheckout(ctx, paid("ord_unknown", `{}`)), apperr.NotFound)

	// The same key replays the record and writes nothing.
	again := begin(cartID, "key-paid")
	begun, err := s.BeginCheckout(ctx, again)
	mustNoErr(t, err, "replay")
	if begun.Existing == nil || begun.Order != nil || !begun.Existing.Done || begun.Existing.OrderID != o.ID {
		t.Errorf("replay = %+v", begun)
	}
	if _, err := s.Order(ctx, again.OrderID); !apperr.Is(err, apperr.NotFound) {
		t.Errorf("a replay created order %s: %v", again.OrderID, err)
	}
}

func testCheckoutRefused(t *testing.T, s *sqlstore.Store) {
	ctx := context.Background()
	mustSeed(t, s)
	empty := mustCart(t, s)
	tests := []struct {
		name string
		b    order.Begin
		want apperr.Kind
	}{
		{"unknown cart", begin("cart_unknown", "key-unknown"), apperr.NotFound},
		{"empty cart", begin(empty, "key-empty"), apperr.Invalid},
		{"no key", begin(empty, ""), apperr.Invalid},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := s.BeginCheckout(ctx, tc.b)
			wantKind(t, err, tc.want)
			if tc.b.IdempotencyKey != "" {
				_, err = s.IdempotencyRecord(ctx, tc.b.IdempotencyKey)
				wantKind(t, err, apperr.NotFound)
			}
		})
	}
	wantCartStatus(t, s, empty, cart.Open)

	// A checked-out cart cannot be checked out again under another key.
	cartID := mustCart(t, s, "WB-1", 1)
	mustBeginOrder(t, s, begin(cartID, "key-first"))
	_, err := s.BeginCheckout(ctx, begin(cartID, "key-second"))
	wantKind(t, err, apperr.Conflict)
	_, err = s.IdempotencyRecord(ctx, "key-second")
	wantKind(t, err, apperr.NotFound)
	wantStock(t, s, map[string]int{"WB-1": 99})
}

func testCheckoutOutOfStock(t *testing.T, s *sqlstore.Store) {
	ctx := context.Background()
	mustSeed(t, s)
	// WB-1 is fine, CS-1 (3 left) and SH-1 (0 left) are short; TR-40 sorts
	// first and is taken before the failure, so the rollback must undo it.
	cartID := mustCart(t, s, "TR-40", 2, "WB-1", 5, "CS-1", 4, "SH-1", 1)
	b := begin(cartID, "key-short")
	begun, err := s.BeginCheckout(ctx, b)
	mustNoErr(t, err, "begin")
	want := []apperr.Shortage{{SKU: "CS-1", Requested: 4, Available: 3}, {SKU: "SH-1", Requested: 1, Available: 0}}
	if begun.Order != nil || begun.Existing != nil || !slices.Equal(begun.Shortages, want) {
		t.Fatalf("begun = %+v, want shortages %+v", begun, want)
	}
	wantStock(t, s, map[string]int{"TR-40": 5, "WB-1": 100, "CS-1": 3, "SH-1": 0})
	wantCartStatus(t, s, cartID, cart.Open)
	if _, err := s.Order(ctx, b.OrderID); !apperr.Is(err, apperr.NotFound) {
		t.Errorf("order after shortage: %v", err)
	}
	rec, err := s.IdempotencyRecord(ctx, "key-short")
	mustNoErr(t, err, "record")
	wantResult, _ := b.OutOfStock(want)
	if !rec.Done || rec.OrderID != "" || string(rec.Result) != string(wantResult) {
		t.Errorf("record = %+v, want done with %s", rec, wantResult)
	}
	// A retry replays the 409 even after a restock.
	_, err = s.SetAvailable(ctx, "SH-1", 10)
	mustNoErr(t, err, "restock")
	again, err := s.BeginCheckout(ctx, begin(cartID, "key-short"))
	mustNoErr(t, err, "retry")
	if again.Existing == nil || string(again.Existing.Result) != string(wantResult) {
		t.Errorf("retry = %+v", again)
	}
	// A new key after fixing the cart succeeds.
	mustNoErr(t, s.SetQuantity(ctx, cartID, "CS-1", 3, time.Now()), "fix cart")
	mustBeginOrder(t, s, begin(cartID, "key-short-2"))
	wantStock(t, s, map[string]int{"TR-40": 3, "WB-1": 95, "CS-1": 0, "SH-1": 9})
}

func testCheckoutDeclined(t *testing.T, s *sqlstore.Store) {
	ctx := context.Background()
	mustSeed(t, s)
	cartID := mustCart(t, s, "WB-1", 2, "TR-41", 3)
	o := mustBeginOrder(t, s, begin(cartID, "key-declined"))
	wantStock(t, s, map[string]int{"WB-1": 98, "TR-41": 7})
	st := order.Settlement{OrderID: o.ID, Status: order.PaymentDeclined, Reason: "card_declined", Now: time.Now(), Result: []byte(`{"outcome":"declined"}`)}
	mustNoErr(t, s.FinishCheckout(ctx, st), "finish")
	wantStock(t, s, map[string]int{"WB-1": 100, "TR-41": 10})
	wantCartStatus(t, s, cartID, cart.Open)
	got, _ := s.Order(ctx, o.ID)
	if got.Status != order.PaymentDeclined || got.Reason != "card_declined" {
		t.Errorf("order = %+v", got)
	}
	if n, _ := s.PaymentCount(ctx, o.ID); n != 0 {
		t.Errorf("payments = %d, want 0", n)
	}
	rec, _ := s.IdempotencyRecord(ctx, "key-declined")
	if !rec.Done || string(rec.Result) != `{"outcome":"declined"}` {
		t.Errorf("record = %+v", rec)
	}
	// Settling twice releases nothing twice.
	wantKind(t, s.FinishCheckout(ctx, st), apperr.Conflict)
	st.Status = order.Cancelled
	wantKind(t, s.FinishCheckout(ctx, st), apperr.Conflict)
	wantStock(t, s, map[string]int{"WB-1": 100, "TR-41": 10})
	wantKind(t, s.FinishCheckout(ctx, order.Settlement{OrderID: o.ID, Status: order.PendingPayment}), apperr.Invalid)
}

func testCheckoutFailedReleasesKey(t *testing.T, s *sqlstore.Store) {
	ctx := context.Background()
	mustSeed(t, s)
	cartID := mustCart(t, s, "CS-1", 3)
	o := mustBeginOrder(t, s, begin(cartID, "key-failed"))
	mustNoErr(t, s.FinishCheckout(ctx, order.Settlement{OrderID: o.ID, Status: order.PaymentFailed, Reason: "gateway down", Now: time.Now()}), "finish")
	_, err := s.IdempotencyRecord(ctx, "key-failed")
	wantKind(t, err, apperr.NotFound)
	wantStock(t, s, map[string]int{"CS-1": 3})
	// The same key starts afresh.
	o2 := mustBeginOrder(t, s, begin(cartID, "key-failed"))
	if o2.ID == o.ID {
		t.Errorf("retry reused order id %s", o.ID)
	}
	wantStock(t, s, map[string]int{"CS-1": 0})
}

func testPaymentUnique(t *testing.T, s *sqlstore.Store) {
	ctx := context.Background()
	mustSeed(t, s)
	o1 := mustBeginOrder(t, s, begin(mustCart(t, s, "WB-1", 1), "key-p1"))
	o2 := mustBeginOrder(t, s, begin(mustCart(t, s, "WB-1", 1), "key-p2"))
	mustNoErr(t, s.FinishCheckout(ctx, paid(o1.ID, `{}`)), "pay first")
	dup := paid(o2.ID, `{}`)
	dup.Payment.IdempotencyKey = o1.ID + ":charge"
	wantKind(t, s.FinishCheckout(ctx, dup), apperr.Conflict)
	got, _ := s.Order(ctx, o2.ID)
	if got.Status != order.PendingPayment {
		t.Errorf("order with a refused payment is %q, want still pending", got.Status)
	}
	rec, _ := s.IdempotencyRecord(ctx, "key-p2")
	if rec.Done {
		t.Errorf("key of a refused settlement is done: %+v", rec)
	}
}
