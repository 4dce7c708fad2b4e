package rehearse

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/peakshop/peakshop/internal/domain/apperr"
	"github.com/peakshop/peakshop/internal/domain/catalog"
	"github.com/peakshop/peakshop/internal/domain/money"
	"github.com/peakshop/peakshop/internal/domain/order"
	"github.com/peakshop/peakshop/internal/domain/payment"
	"github.com/peakshop/peakshop/internal/loadgen"
	"github.com/peakshop/peakshop/internal/payments/simulator"
	"github.com/peakshop/peakshop/internal/platform/ids"
	"github.com/peakshop/peakshop/internal/storage/sqlstore"
	"github.com/peakshop/peakshop/internal/storage/storetest"
)

// shop is a store after a small, honest run: two shipped orders, one
// declined at checkout, and the load generator's record of what it was told.
type shop struct {
	st       *sqlstore.Store
	base     Baseline
	shipped  []string
	declined string
	accepted []loadgen.AcceptedOrder
}

func usd(n int64) money.Money { return money.Money{Amount: n, Currency: "USD"} }

func mustNoErr(tb testing.TB, err error, what string) {
	tb.Helper()
	if err != nil {
		tb.Fatalf("%s: %v", what, err)
	}
}

func newShop(t *testing.T, open func(testing.TB) *sqlstore.Store) *shop {
	t.Helper()
	ctx := context.Background()
	st := open(t)
	five, ten := 5, 10
	mustNoErr(t, st.ImportCatalog(ctx, []catalog.Category{{Slug: "sale", Name: "Sale"}}, []catalog.Draft{{
		Slug: "hot-tee", Name: "Hot Tee", Description: "flash sale", Category: "sale",
		Variants: []catalog.VariantDraft{
			{SKU: "HOT-1", Name: "S", Price: usd(1000), Available: &five},
			{SKU: "HOT-2", Name: "M", Price: usd(1000), Available: &ten},
		},
	}}), "import catalog")
	base, err := TakeBaseline(ctx, st)
	mustNoErr(t, err, "baseline")
	if base.Stock["HOT-1"] != 5 || base.Stock["HOT-2"] != 10 || base.Units != 15 {
		t.Fatalf("baseline = %+v", base)
	}
	s := &shop{st: st, base: base}
	for _, sku := range []string{"HOT-1", "HOT-2"} {
		o := s.begin(t, sku, 2)
		s.pay(t, o)
		mustNoErr(t, st.Allocate(ctx, o.ID, "wh-1", time.Now()), "allocate")
		mustNoErr(t, st.MarkShipped(ctx, o.ID, "TRK-"+o.ID, time.Now()), "ship")
		s.shipped = append(s.shipped, o.ID)
		s.accepted = append(s.accepted, loadgen.AcceptedOrder{ID: o.ID, Status: 201, At: time.Now()})
	}
	o := s.begin(t, "HOT-1", 1)
	mustNoErr(t, st.FinishCheckout(ctx, order.Settlement{OrderID: o.ID, Status: order.PaymentDeclined, Now: time.Now()}), "decline")
	s.declined = o.ID
	return s
}

// begin puts qty of sku into a fresh cart and checks it out, leaving the
// order pending payment with its stock reserved.
func (s *shop) begin(t *testing.T, sku string, qty int) *order.Order {
	t.Helper()
	ctx := context.Background()
	now := time.Now()
	cartID := ids.New("cart", now)
	mustNoErr(t, s.st.CreateCart(ctx, cartID, now), "cart")
	mustNoErr(t, s.st.SetQuantity(ctx, cartID, sku, qty, now), "add to cart")
	key := ids.New("key", now)
	begun, err := s.st.BeginCheckout(ctx, order.Begin{
		IdempotencyKey: key, RequestHash: "h-" + key, OrderID: ids.New("ord", now), CartID: cartID,
		Email: "audit@example.com", Currency: "USD", Now: now,
		Address:    order.Address{Name: "Ada", Line1: "1 Main St", City: "Springfield", PostalCode: "12345", Country: "US"},
		OutOfStock: func(short []apperr.Shortage) ([]byte, error) { return json.Marshal(short) },
	})
	mustNoErr(t, err, "begin checkout")
	if begun.Order == nil {
		t.Fatalf("begin checkout = %+v", begun)
	}
	return begun.Order
}

func (s *shop) pay(t *testing.T, o *order.Order) {
	t.Helper()
	mustNoErr(t, s.st.FinishCheckout(context.Background(), order.Settlement{OrderID: o.ID, Status: order.Paid, Now: time.Now(),
		Payment: &order.PaymentRecord{Provider: "simulator", ChargeID: "ch_" + o.ID, Amount: o.Total, IdempotencyKey: order.ChargeKey(o.ID)}}), "pay")
}

func (s *shop) audit(t *testing.T, in AuditInput) Audit {
	t.Helper()
	in.Baseline = s.base
	if in.Accepted == nil {
		in.Accepted = s.accepted
	}
	a, err := RunAudit(context.Background(), s.st, in)
	mustNoErr(t, err, "audit")
	return a
}

// failed returns the check named like name, which must have failed with a
// problem mentioning want.
func wantFailed(t *testing.T, a Audit, name, want string) {
	t.Helper()
	if a.Passed {
		t.Fatalf("audit passed; want %q to fail with %q: %+v", name, want, a.Checks)
	}
	for _, c := range a.Checks {
		if !strings.Contains(c.Name, name) {
			continue
		}
		if c.Passed {
			t.Fatalf("check %q passed: %+v", c.Name, c)
		}
		for _, p := range c.Problems {
			if strings.Contains(p, want) {
				return
			}
		}
		t.Fatalf("check %q failed without a problem mentioning %q: %q", c.Name, want, c.Problems)
	}
	t.Fatalf("no check named like %q in %+v", name, a.Checks)
}

func wantPassed(t *testing.T, a Audit) {
	t.Helper()
	for _, c := range a.Checks {
		if !c.Passed {
			t.Errorf("check %q failed: %s %q", c.Name, c.Summary, c.Problems)
		}
	}
	if !a.Passed {
		t.Fatal("audit failed")
	}
}

func TestAudit(t *testing.T) {
	for engine, open := range storetest.Engines() {
		t.Run(engine, func(t *testing.T) {
			t.Parallel()
			t.Run("honest run passes", func(t *testing.T) {
				s := newShop(t, open)
				a := s.audit(t, AuditInput{})
				wantPassed(t, a)
				if a.Orders != 3 || a.ByStatus["shipped"] != 2 || a.ByStatus["payment_declined"] != 1 || a.SoldUnits != 4 || a.PaymentSource != "database" {
					t.Errorf("audit = %+v", a)
				}
			})
			t.Run("pending order fails", func(t *testing.T) {
				s := newShop(t, open)
				o := s.begin(t, "HOT-2", 1)
				wantFailed(t, s.audit(t, AuditInput{}), "terminal", o.ID+" is still pending_payment")
			})
			t.Run("paid but never shipped fails", func(t *testing.T) {
				s := newShop(t, open)
				o := s.begin(t, "HOT-2", 1)
				s.pay(t, o)
				acc := append(s.accepted, loadgen.AcceptedOrder{ID: o.ID, Status: 201, At: time.Now()})
				wantFailed(t, s.audit(t, AuditInput{Accepted: acc}), "terminal", o.ID+" is still paid")
			})
			t.Run("accepted order that ended declined fails", func(t *testing.T) {
				s := newShop(t, open)
				acc := append(s.accepted, loadgen.AcceptedOrder{ID: s.declined, Status: 201, At: time.Now()})
				wantFailed(t, s.audit(t, AuditInput{Accepted: acc}), "terminal", "ended payment_declined")
			})
			t.Run("accepted order missing from the database fails", func(t *testing.T) {
				s := newShop(t, open)
				acc := append(s.accepted, loadgen.AcceptedOrder{ID: "ord_ghost", Status: 202, At: time.Now()})
				wantFailed(t, s.audit(t, AuditInput{Accepted: acc}), "terminal", "ord_ghost (202")
			})
			t.Run("oversold SKU fails", func(t *testing.T) {
				s := newShop(t, open)
				// Two of HOT-1's five went on a shipped order; stock back at
				// five means seven exist: two were sold that never were.
				_, err := s.st.SetAvailable(context.Background(), "HOT-1", 5)
				mustNoErr(t, err, "set stock")
				wantFailed(t, s.audit(t, AuditInput{}), "oversold", "HOT-1: initial 5 < available 5 + sold 2")
			})
			t.Run("vanished stock fails", func(t *testing.T) {
				s := newShop(t, open)
				_, err := s.st.SetAvailable(context.Background(), "HOT-2", 1)
				mustNoErr(t, err, "set stock")
				wantFailed(t, s.audit(t, AuditInput{}), "oversold", "HOT-2: initial 10 > available 1 + sold 2")
			})
			t.Run("cancelled after payment without refund fails", func(t *testing.T) {
				s := newShop(t, open)
				o := s.begin(t, "HOT-2", 1)
				s.pay(t, o)
				mustNoErr(t, s.st.CancelPaid(context.Background(), o.ID, "test", nil, time.Now()), "cancel")
				wantFailed(t, s.audit(t, AuditInput{}), "money matches", o.ID+" was cancelled")
			})
			t.Run("charged twice by the provider fails", func(t *testing.T) {
				s := newShop(t, open)
				ledger := filepath.Join(t.TempDir(), "payments-sim.db")
				gw, err := simulator.Open(context.Background(), simulator.Options{LedgerPath: ledger})
				mustNoErr(t, err, "open simulator")
				defer gw.Close()
				charge := func(id, key string) {
					_, err := gw.Charge(context.Background(), payment.ChargeRequest{IdempotencyKey: key, OrderID: id, Amount: usd(2000), Token: "tok_visa"})
					mustNoErr(t, err, "charge")
				}
				for _, id := range s.shipped {
					charge(id, order.ChargeKey(id))
				}
				wantPassed(t, s.audit(t, AuditInput{Ledger: ledger}))
				charge(s.shipped[1], s.shipped[1]+":charge-retry")
				a := s.audit(t, AuditInput{Ledger: ledger})
				wantFailed(t, a, "more than once", s.shipped[1]+" (shipped) was charged 2 times")
				if a.PaymentSource != "ledger" {
					t.Errorf("payment source = %q", a.PaymentSource)
				}
			})
			t.Run("dead letters need a fault", func(t *testing.T) {
				s := newShop(t, open)
				at := time.Now()
				dl := DeadLetter{Seq: 7, Consumer: "email", EventID: "ev-1", Subject: "peakshop.events.order.paid", Error: "smtp down", Attempts: 5, FailedAt: at}
				cut := FaultWindow{Fault: "cut", Target: "worker-nats", Start: at.Add(-20 * time.Second), End: at.Add(-10 * time.Second)}
				a := s.audit(t, AuditInput{DeadLetters: []DeadLetter{dl}, Faults: []FaultWindow{cut}})
				wantPassed(t, a)
				if len(a.DeadLetters) != 1 || !strings.HasPrefix(a.DeadLetters[0].Explained, "cut worker-nats") {
					t.Errorf("dead letters = %+v", a.DeadLetters)
				}
				cut.Start, cut.End = at.Add(-10*time.Minute), at.Add(-9*time.Minute)
				wantFailed(t, s.audit(t, AuditInput{DeadLetters: []DeadLetter{dl}, Faults: []FaultWindow{cut}}), "dead letter", "email gave up on ev-1")
			})
		})
	}
}
