package fulfillment_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	mrand "math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/peakshop/peakshop/internal/domain/order"
	"github.com/peakshop/peakshop/internal/domain/payment"
	"github.com/peakshop/peakshop/internal/fulfillment"
	"github.com/peakshop/peakshop/internal/messaging/outbox"
	"github.com/peakshop/peakshop/internal/payments/simulator"
	"github.com/peakshop/peakshop/internal/storage/sqlite"
	"github.com/peakshop/peakshop/internal/storage/sqlstore"
	"github.com/peakshop/peakshop/internal/storage/storetest"
)

// crashEnv makes the test binary a worker that dies (os.Exit: no deferred
// code, no shutdown, as SIGKILL) at one injected point; see
// TestCrashAtEveryStepBoundary.
const crashEnv = "PEAKSHOP_CRASH_CHILD"

// crashPoints are the places a worker is made to die: before each external
// call a step makes (so after the previous step's checkpoint) and after it
// (the side effect done, its checkpoint not yet written). The compensation
// points come first, while undeliverable orders are still waiting.
var crashPoints = []string{
	"refund:before", "refund:after", "cancel:before", "cancel:after",
	"charge:before", "charge:after", "settle:before", "settle:after",
	"allocate:before", "allocate:after", "ship:before", "ship:after",
	"shipped:before", "shipped:after", "notify:before", "notify:after",
}

// TestCrashAtEveryStepBoundary runs the workflows in child processes, each
// killed at one step boundary (a random one of the first three calls that
// reach it), the next one recovering what the last left, until a last child
// without a crash point has every workflow's result. Then every order is
// shipped or cancelled as its card and address say, the payment ledger (a
// file shared by the children, as a provider outlives a worker) shows no
// order charged twice and every cancelled paid order refunded once, and
// stock reconciles exactly.
func TestCrashAtEveryStepBoundary(t *testing.T) {
	if spec := os.Getenv(crashEnv); spec != "" {
		crashChild(t, spec)
		return
	}
	if testing.Short() {
		t.Skip("starts a process per crash point")
	}
	const n = crashOrders
	dir := t.TempDir()
	ctx := t.Context()
	st, err := sqlite.Open(ctx, filepath.Join(dir, "shop.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	sim := simulator.New(simulator.Options{})
	svc := order.NewService(st, sim, order.Config{Currency: "USD", Provider: "simulator", Secret: []byte("s"), Queued: true}, slog.New(slog.DiscardHandler))
	skus := storetest.SeedStock(t, st, 5, 1000)
	carts := storetest.Carts(t, st, n, func(i int) []any { return []any{skus[i%len(skus)], 1 + i%3} })
	ids := make([]string, n)
	for i, c := range carts {
		tok, country := "tok_visa", "US"
		switch i % 10 {
		case 1:
			tok = "tok_chargeDeclined"
		case 2, 7:
			country = "ZZ" // the carrier refuses it: paid, then refunded
		}
		out, err := svc.Checkout(ctx, fmt.Sprintf("k%d", i), checkoutReq(c, tok, country))
		if err != nil || out.Result.Outcome != order.Accepted {
			t.Fatalf("checkout %d: %+v %v", i, out, err)
		}
		ids[i] = out.Result.OrderID
	}
	if err := os.WriteFile(filepath.Join(dir, "ids"), []byte(strings.Join(ids, "\n")), 0o600); err != nil {
		t.Fatal(err)
	}

	for _, point := range crashPoints {
		spec := fmt.Sprintf("%s:%d", point, 1+mrand.IntN(3))
		start := time.Now()
		code := runCrashChild(t, dir, spec)
		t.Logf("child %s: exit %d after %v", spec, code, time.Since(start).Round(time.Millisecond))
		if code != crashExit {
			t.Errorf("child %s exited %d, want the crash (%d): the point was never reached", spec, code, crashExit)
		}
	}
	start := time.Now()
	if code := runCrashChild(t, dir, "none"); code != 0 {
		t.Fatalf("last child exited %d", code)
	}
	t.Logf("last child: done after %v", time.Since(start).Round(time.Millisecond))

	audit, err := simulator.AuditLedger(ctx, filepath.Join(dir, "payments-sim.db"))
	if err != nil {
		t.Fatal(err)
	}
	if len(audit.ChargedTwice) > 0 {
		t.Errorf("charged twice: %v", audit.ChargedTwice)
	}
	units := map[string]int{}
	for i, id := range ids {
		o, err := st.Order(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		m := audit.Orders[id]
		want, money := order.Shipped, simulator.OrderMoney{Charges: 1}
		switch i % 10 {
		case 1:
			want, money = order.Cancelled, simulator.OrderMoney{Declines: 1}
		case 2, 7:
			want, money = order.Cancelled, simulator.OrderMoney{Charges: 1, Refunds: 1}
		}
		if o.Status != want || m != money {
			t.Errorf("order %d (%s): %s with ledger %+v, want %s with %+v", i, id, o.Status, m, want, money)
		}
		if o.Status == order.Shipped {
			units[skus[i%len(skus)]] += 1 + i%3
		}
	}
	for _, sku := range skus {
		if got := storetest.Stock(t, st, sku) + units[sku]; got != 1000 {
			t.Errorf("%s: available + shipped = %d, want 1000", sku, got)
		}
	}
	t.Logf("%d crash points; ledger: %d charges, %d declines, %d refunds", len(crashPoints), audit.Charges, audit.Declines, audit.Refunds)
}

// crashExit is a crashed child's exit code.
const crashExit = 3

func runCrashChild(t *testing.T, dir, spec string) int {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^TestCrashAtEveryStepBoundary$", "-test.v")
	cmd.Env = append(os.Environ(), crashEnv+"="+spec, "PEAKSHOP_CRASH_DIR="+dir)
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &exit) && exit.ExitCode() == crashExit:
		return crashExit
	case errors.As(err, &exit):
		t.Logf("child %s:\n%s", spec, out)
		return exit.ExitCode()
	}
	t.Fatalf("child %s: %v\n%s", spec, err, out)
	return -1
}

// crashChild is the worker: the engine and the relay over the parent's
// files, its store, gateway and carrier wrapped to die at spec's point
// ("op:when:k", or "none"), until every workflow has a result.
func crashChild(t *testing.T, spec string) {
	dir := os.Getenv("PEAKSHOP_CRASH_DIR")
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(dir, "shop.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	sim, err := simulator.Open(ctx, simulator.Options{LedgerPath: filepath.Join(dir, "payments-sim.db")})
	if err != nil {
		t.Fatal(err)
	}
	c := newCrasher(t, spec)
	logger := slog.New(slog.DiscardHandler)
	e, err := fulfillment.New(ctx, fulfillment.Config{SystemDB: "sqlite:" + filepath.Join(dir, "workflows.db"), PaymentRate: 5000,
		PaymentConcurrency: 8, Retries: 8, Poll: 20 * time.Millisecond},
		crashStore{st, c}, crashGateway{sim, c}, crashCarrier{&fulfillment.SimCarrier{Refuse: []string{"ZZ"}}, c}, logger)
	if err != nil {
		t.Fatal(err)
	}
	go outbox.New(st, outbox.Config{Batch: 64}, logger, e.Start).Run(ctx)
	raw, err := os.ReadFile(filepath.Join(dir, "ids"))
	if err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(2 * time.Minute)
	for _, id := range strings.Split(string(raw), "\n") {
		// Not found until the relay has enqueued it; an error result ends
		// the wait at the deadline and fails the child.
		for _, err := e.Result(id, 5*time.Second); err != nil; _, err = e.Result(id, 5*time.Second) {
			if time.Now().After(deadline) {
				t.Fatalf("workflow %s: %v", id, err)
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	// Leave like a crash too: what a clean stop would do is not under test.
	os.Exit(0)
}

// crasher dies at the k-th call that reaches its point.
type crasher struct {
	op, when string
	k        int64
	calls    atomic.Int64
}

func newCrasher(t *testing.T, spec string) *crasher {
	if spec == "none" {
		return &crasher{}
	}
	parts := strings.Split(spec, ":")
	k, err := strconv.ParseInt(parts[2], 10, 64)
	if len(parts) != 3 || err != nil {
		t.Fatalf("crash spec %q", spec)
	}
	return &crasher{op: parts[0], when: parts[1], k: k}
}

func (c *crasher) at(op, when string) {
	if op == c.op && when == c.when && c.calls.Add(1) == c.k {
		os.Exit(crashExit)
	}
}

// around runs call between the before and after points of op; a failed
// call has no after.
func around[T any](c *crasher, op string, call func() (T, error)) (T, error) {
	c.at(op, "before")
	v, err := call()
	if err == nil {
		c.at(op, "after")
	}
	return v, err
}

type crashStore struct {
	*sqlstore.Store
	c *crasher
}

func (s crashStore) FinishCheckout(ctx context.Context, st order.Settlement) error {
	_, err := around(s.c, "settle", func() (any, error) { return nil, s.Store.FinishCheckout(ctx, st) })
	return err
}

func (s crashStore) Allocate(ctx context.Context, id, wh string, now time.Time) error {
	_, err := around(s.c, "allocate", func() (any, error) { return nil, s.Store.Allocate(ctx, id, wh, now) })
	return err
}

func (s crashStore) MarkShipped(ctx context.Context, id, tracking string, now time.Time) error {
	_, err := around(s.c, "shipped", func() (any, error) { return nil, s.Store.MarkShipped(ctx, id, tracking, now) })
	return err
}

func (s crashStore) MarkNotified(ctx context.Context, id string, now time.Time) error {
	_, err := around(s.c, "notify", func() (any, error) { return nil, s.Store.MarkNotified(ctx, id, now) })
	return err
}

func (s crashStore) CancelPaid(ctx context.Context, id, reason string, refund *sqlstore.Refund, now time.Time) error {
	_, err := around(s.c, "cancel", func() (any, error) { return nil, s.Store.CancelPaid(ctx, id, reason, refund, now) })
	return err
}

type crashGateway struct {
	*simulator.Simulator
	c *crasher
}

func (g crashGateway) Charge(ctx context.Context, req payment.ChargeRequest) (payment.Receipt, error) {
	return around(g.c, "charge", func() (payment.Receipt, error) { return g.Simulator.Charge(ctx, req) })
}

func (g crashGateway) Refund(ctx context.Context, chargeID, key string) error {
	_, err := around(g.c, "refund", func() (any, error) { return nil, g.Simulator.Refund(ctx, chargeID, key) })
	return err
}

type crashCarrier struct {
	*fulfillment.SimCarrier
	c *crasher
}

func (cc crashCarrier) Ship(ctx context.Context, key, id, wh string, to order.Address) (string, error) {
	return around(cc.c, "ship", func() (string, error) { return cc.SimCarrier.Ship(ctx, key, id, wh, to) })
}
