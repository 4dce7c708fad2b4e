package fulfillment_test

import (
	"context"
	"fmt"
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	"github.com/peakshop/peakshop/internal/domain/order"
	"github.com/peakshop/peakshop/internal/fulfillment"
	"github.com/peakshop/peakshop/internal/messaging/outbox"
	"github.com/peakshop/peakshop/internal/payments/simulator"
	"github.com/peakshop/peakshop/internal/storage/sqlstore"
	"github.com/peakshop/peakshop/internal/storage/storetest"
)

type rig struct {
	store   *sqlstore.Store
	sim     *simulator.Simulator
	carrier *fulfillment.SimCarrier
	cfg     fulfillment.Config
	svc     *order.Service
	logger  *slog.Logger
}

func newRig(t *testing.T) *rig {
	t.Helper()
	r := &rig{store: storetest.OpenSQLite(t), sim: simulator.New(simulator.Options{Seed: 7}),
		carrier: &fulfillment.SimCarrier{Refuse: []string{"ZZ"}, FailEvery: 7}, logger: slog.New(slog.DiscardHandler)}
	r.cfg = fulfillment.Config{SystemDB: "sqlite:" + filepath.Join(t.TempDir(), "workflows.db"), PaymentRate: 5000,
		PaymentConcurrency: 16, Retries: 8, Poll: 20 * time.Millisecond}
	r.svc = order.NewService(r.store, r.sim, order.Config{Currency: "USD", Provider: "simulator", Secret: []byte("s"), Queued: true}, r.logger)
	return r
}

func (r *rig) engine(t *testing.T) *fulfillment.Engine {
	t.Helper()
	e, err := fulfillment.New(t.Context(), r.cfg, r.store, r.sim, r.carrier, r.logger)
	if err != nil {
		t.Fatalf("engine: %v", err)
	}
	return e
}

func checkoutReq(cart, token, country string) order.CheckoutRequest {
	return order.CheckoutRequest{CartID: cart, Email: "a@example.com", Payment: order.PaymentInput{Token: token},
		ShippingAddress: order.Address{Name: "A", Line1: "1 St", City: "C", PostalCode: "1", Country: country}}
}

// TestQueuedOrdersSurviveRestarts places queued orders, stops the workflow
// engine twice while they run (as a killed worker would) and checks that
// every order ends shipped or cancelled, nothing is charged twice and the
// stock reconciles exactly.
func TestQueuedOrdersSurviveRestarts(t *testing.T) {
	const n = queuedOrders
	r := newRig(t)
	ctx := t.Context()
	skus := storetest.SeedStock(t, r.store, 10, 1000)
	carts := storetest.Carts(t, r.store, n, func(i int) []any { return []any{skus[i%len(skus)], 1 + i%3} })
	ids := make([]string, n)
	for i, c := range carts {
		tok, country := "tok_visa", "US"
		switch {
		case i%50 == 1:
			tok = "tok_chargeDeclined"
		case i%50 == 2:
			country = "ZZ"
		}
		out, err := r.svc.Checkout(ctx, fmt.Sprintf("k%d", i), checkoutReq(c, tok, country))
		if err != nil || out.Result.Outcome != order.Accepted {
			t.Fatalf("checkout %d: %+v %v", i, out, err)
		}
		ids[i] = out.Result.OrderID
	}
	for round := range 3 {
		e := r.engine(t)
		relay := outbox.New(r.store, outbox.Config{Batch: 128}, r.logger, e.Start)
		rctx, stop := context.WithCancel(ctx)
		done := make(chan struct{})
		go func() { defer close(done); relay.Run(rctx) }()
		if round < 2 {
			waitFor(t, func() bool { return countStatus(t, r.store, order.Shipped) >= (round+1)*n/4 })
		} else {
			waitFor(t, func() bool { return terminal(t, r.store, ids) })
		}
		t.Logf("round %d: shipped %d at %v", round, countStatus(t, r.store, order.Shipped), time.Now().Format("15:04:05.000"))
		stop()
		<-done
		if err := e.Shutdown(time.Second); err != nil {
			t.Logf("shutdown round %d: %v", round, err)
		}
	}
	shipped, cancelled := 0, 0
	units := map[string]int{}
	for i, id := range ids {
		o, err := r.store.Order(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		switch o.Status {
		case order.Shipped:
			shipped++
			units[skus[i%len(skus)]] += 1 + i%3
		case order.Cancelled:
			cancelled++
			if o.Reason == "" {
				t.Errorf("order %s cancelled without a reason", id)
			}
		default:
			t.Errorf("order %s ended %s", id, o.Status)
		}
	}
	if want := n / 50 * 2; cancelled != want {
		t.Errorf("cancelled = %d, want %d (declines and undeliverable)", cancelled, want)
	}
	st := r.sim.Stats()
	if st.Charges != int64(shipped+n/50) || st.Refunds != int64(n/50) {
		t.Errorf("gateway charged %d and refunded %d; want %d and %d", st.Charges, st.Refunds, shipped+n/50, n/50)
	}
	if got := r.carrier.Bookings(); got != shipped {
		t.Errorf("carrier booked %d shipments for %d shipped orders", got, shipped)
	}
	for _, sku := range skus {
		if got := storetest.Stock(t, r.store, sku) + units[sku]; got != 1000 {
			t.Errorf("%s: available + shipped = %d, want 1000", sku, got)
		}
	}
	steps, err := r.store.Timeline(ctx, ids[0])
	if err != nil || len(steps) != 5 {
		t.Errorf("timeline of a shipped order: %+v %v", steps, err)
	}
}

func countStatus(t *testing.T, s *sqlstore.Store, st order.Status) int {
	n, err := s.OrderCount(t.Context(), st)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func terminal(t *testing.T, s *sqlstore.Store, ids []string) bool {
	return countStatus(t, s, order.Shipped)+countStatus(t, s, order.Cancelled) == len(ids)
}

// waitFor polls cond for up to a minute: the bound keeps a broken pipeline
// from hanging the suite, and is not a timing assertion.
func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(time.Minute); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if cond() {
			return
		}
	}
	t.Fatal("condition not reached within a minute")
}
