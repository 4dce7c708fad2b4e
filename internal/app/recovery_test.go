package app_test

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/peakshop/peakshop/internal/app"
	"github.com/peakshop/peakshop/internal/domain/apperr"
	"github.com/peakshop/peakshop/internal/domain/catalog"
	"github.com/peakshop/peakshop/internal/domain/money"
	"github.com/peakshop/peakshop/internal/domain/order"
	"github.com/peakshop/peakshop/internal/domain/payment"
	"github.com/peakshop/peakshop/internal/payments/simulator"
	"github.com/peakshop/peakshop/internal/platform/ids"
	"github.com/peakshop/peakshop/internal/storage/sqlstore"
)

// crashFixture is a store with one SKU and a cart, and a checkout that
// "crashed" right after its first transaction: the order exists, PendingPayment,
// holding stock, and nobody will finish it.
type crashFixture struct {
	store   *sqlstore.Store
	gateway *simulator.Simulator
	clock   time.Time
	svc     *order.Service
	sku     string
	order   order.Order
	key     string
}

func newCrashFixture(t *testing.T, dsn string) *crashFixture {
	ctx := context.Background()
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	st, err := app.OpenStore(ctx, dsn, "USD", logger)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	if err := st.ImportCatalog(ctx, []catalog.Category{{Slug: "test", Name: "Test"}}, nil); err != nil {
		t.Fatal(err)
	}
	five := 5
	if _, err := st.CreateProduct(ctx, catalog.Draft{Slug: "crash-kettle", Name: "Kettle", Category: "test",
		Variants: []catalog.VariantDraft{{SKU: "KETTLE-1", Name: "steel", Price: money.Money{Amount: 3000, Currency: "USD"}, Available: &five}}}); err != nil {
		t.Fatal(err)
	}
	f := &crashFixture{store: st, gateway: simulator.New(simulator.Options{}), clock: time.Now().UTC(), sku: "KETTLE-1", key: "crash-key"}
	f.svc = order.NewService(st, f.gateway, order.Config{Currency: "USD", Provider: "simulator", Secret: []byte("s"), Now: func() time.Time { return f.clock }}, logger)
	cartID := ids.New("cart", f.clock)
	if err := st.CreateCart(ctx, cartID, f.clock); err != nil {
		t.Fatal(err)
	}
	if err := st.SetQuantity(ctx, cartID, f.sku, 2, f.clock); err != nil {
		t.Fatal(err)
	}
	req := order.CheckoutRequest{CartID: cartID, Email: "a@example.com", Payment: order.PaymentInput{Token: "tok_visa"},
		ShippingAddress: order.Address{Name: "A", Line1: "1 St", City: "X", PostalCode: "1", Country: "US"}}
	begun, err := st.BeginCheckout(ctx, order.Begin{IdempotencyKey: f.key, RequestHash: req.Hash(), OrderID: ids.New("ord", f.clock),
		CartID: cartID, Email: req.Email, Address: req.ShippingAddress, Currency: "USD", Now: f.clock,
		OutOfStock: func([]apperr.Shortage) ([]byte, error) { return []byte(`{}`), nil }})
	if err != nil || begun.Order == nil {
		t.Fatalf("begin checkout: %+v %v", begun, err)
	}
	f.order = *begun.Order
	if n, _ := st.StockOf(ctx, f.sku); n != 3 {
		t.Fatalf("stock held by the pending order: %d left, want 3", n)
	}
	return f
}

func TestRecoveryReleasesStockOfOrphanedOrder(t *testing.T) {
	for name, dsn := range engines(t) {
		t.Run(name, func(t *testing.T) {
			f := newCrashFixture(t, dsn(t))
			ctx := context.Background()
			if n, err := f.svc.Recover(ctx); err != nil || n != 0 {
				t.Fatalf("recover before the grace period settled %d (%v), want 0", n, err)
			}
			f.clock = f.clock.Add(3 * time.Minute)
			if n, err := f.svc.Recover(ctx); err != nil || n != 1 {
				t.Fatalf("recover settled %d (%v), want 1", n, err)
			}
			if n, _ := f.store.StockOf(ctx, f.sku); n != 5 {
				t.Fatalf("stock after recovery = %d, want 5", n)
			}
			o, err := f.store.Order(ctx, f.order.ID)
			if err != nil || o.Status != order.Cancelled {
				t.Fatalf("order after recovery: %+v %v", o, err)
			}
			if _, err := f.store.IdempotencyRecord(ctx, f.key); !apperr.Is(err, apperr.NotFound) {
				t.Fatalf("key after recovery: %v, want it freed for a retry", err)
			}
			if n, err := f.svc.Recover(ctx); err != nil || n != 0 {
				t.Fatalf("second recovery settled %d (%v), want 0", n, err)
			}
		})
	}
}

func TestRecoveryKeepsOrderWhoseChargeWentThrough(t *testing.T) {
	for name, dsn := range engines(t) {
		t.Run(name, func(t *testing.T) {
			f := newCrashFixture(t, dsn(t))
			ctx := context.Background()
			// The charge reached the gateway; the process died before recording it.
			if _, err := f.gateway.Charge(ctx, payment.ChargeRequest{IdempotencyKey: order.ChargeKey(f.order.ID), OrderID: f.order.ID, Amount: f.order.Total, Token: "tok_visa"}); err != nil {
				t.Fatal(err)
			}
			f.clock = f.clock.Add(3 * time.Minute)
			if n, err := f.svc.Recover(ctx); err != nil || n != 1 {
				t.Fatalf("recover settled %d (%v), want 1", n, err)
			}
			o, err := f.store.Order(ctx, f.order.ID)
			if err != nil || o.Status != order.Paid {
				t.Fatalf("order after recovery: %+v %v", o, err)
			}
			if n, _ := f.store.StockOf(ctx, f.sku); n != 3 {
				t.Fatalf("stock = %d, want 3 (the paid order keeps it)", n)
			}
			if n, _ := f.store.PaymentCount(ctx, f.order.ID); n != 1 {
				t.Fatalf("payments = %d, want 1", n)
			}
			rec, err := f.store.IdempotencyRecord(ctx, f.key)
			if err != nil || !rec.Done {
				t.Fatalf("key after recovery: %+v %v, want done", rec, err)
			}
			if st := f.gateway.Stats(); st.Charges != 1 || st.Refunds != 0 {
				t.Fatalf("gateway: %+v, want one capture and no refund", st)
			}
		})
	}
}
