package rehearse

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/peakshop/peakshop/internal/domain/order"
	"github.com/peakshop/peakshop/internal/loadgen"
	"github.com/peakshop/peakshop/internal/storage/sqlstore"
)

// Baseline is the shop before the load: stock per SKU and the instant from
// which orders count as the run's. It assumes nobody else buys or restocks
// during the rehearsal; on a shared shop the stock check would blame the
// rehearsal for other people's orders.
type Baseline struct {
	At    time.Time      `json:"at"`
	Stock map[string]int `json:"-"`
	SKUs  int            `json:"skus"`
	Units int            `json:"units"`
}

// TakeBaseline reads the stock. At is taken first and truncated to the
// store's microseconds, so an order created after it compares as later.
func TakeBaseline(ctx context.Context, st *sqlstore.Store) (Baseline, error) {
	b := Baseline{At: time.Now().Truncate(time.Microsecond)}
	stock, err := st.AuditStock(ctx)
	if err != nil {
		return Baseline{}, fmt.Errorf("baseline: %w", err)
	}
	b.Stock, b.SKUs = stock, len(stock)
	for _, n := range stock {
		b.Units += n
	}
	return b, nil
}

// AuditInput is what the audit is judged against besides the database.
type AuditInput struct {
	Baseline Baseline
	// Accepted are the checkouts the load generator saw answered 201 or 202.
	Accepted []loadgen.AcceptedOrder
	// Ledger is the payment simulator's ledger file; "" makes the payment
	// checks use the shop's payments and refunds tables only.
	Ledger string
	// DeadLetters are the dead letters written since the baseline.
	DeadLetters []DeadLetter
	// Faults are the windows the chaos run injected faults in.
	Faults []FaultWindow
	// NoDeadLetters says the dead letters could not be read (a running
	// shop given without --nats): the check fails, since it proves nothing.
	NoDeadLetters bool
}

// Audit is the verdict on the shop's records after a run.
type Audit struct {
	Passed        bool              `json:"passed"`
	Checks        []Check           `json:"checks"`
	Orders        int               `json:"orders"`
	ByStatus      map[string]int    `json:"orders_by_status"`
	Accepted      int               `json:"accepted"`
	SoldUnits     int               `json:"sold_units"`
	SoldOut       []string          `json:"sold_out_during_run,omitempty"` // SKUs in stock at the baseline and at zero now
	PaymentSource string            `json:"payment_source"`                // "ledger" or "database"
	DeadLetters   []DeadLetterCheck `json:"dead_letters"`
}

// Check is one of the audit's questions and its answer.
type Check struct {
	Name     string   `json:"name"`
	Passed   bool     `json:"passed"`
	Summary  string   `json:"summary"`
	Problems []string `json:"problems,omitempty"`
}

// maxProblems bounds each check's list: the first few are what a person
// reads; the count says how bad it is.
const maxProblems = 25

func (c *Check) problem(format string, a ...any) {
	c.Passed = false
	if len(c.Problems) < maxProblems {
		c.Problems = append(c.Problems, fmt.Sprintf(format, a...))
	} else if len(c.Problems) == maxProblems {
		c.Problems = append(c.Problems, "(more not listed)")
	}
}

// settled is where an order's story ends: shipped or cancelled after it
// was accepted, or declined or failed at a synchronous checkout (which the
// shopper was told, with a 402 or 5xx, and whose stock went back).
func settled(s order.Status) bool {
	switch s {
	case order.Shipped, order.Cancelled, order.PaymentDeclined, order.PaymentFailed:
		return true
	}
	return false
}

// RunAudit reads the store (and the ledger) and judges the run.
func RunAudit(ctx context.Context, st *sqlstore.Store, in AuditInput) (Audit, error) {
	orders, err := st.AuditOrders(ctx, in.Baseline.At)
	if err != nil {
		return Audit{}, fmt.Errorf("audit: %w", err)
	}
	sold, err := st.AuditSold(ctx, in.Baseline.At)
	if err != nil {
		return Audit{}, fmt.Errorf("audit: %w", err)
	}
	now, err := st.AuditStock(ctx)
	if err != nil {
		return Audit{}, fmt.Errorf("audit: %w", err)
	}
	a := Audit{Orders: len(orders), ByStatus: map[string]int{}, Accepted: len(in.Accepted)}
	for _, o := range orders {
		a.ByStatus[string(o.Status)]++
	}
	money, err := checkPayments(ctx, orders, in.Ledger, &a)
	if err != nil {
		return Audit{}, err
	}
	a.Checks = []Check{
		checkTerminal(orders, in.Accepted),
		checkStock(in.Baseline.Stock, now, sold, &a),
		money.twice,
		money.matches,
		checkDeadLetters(in.DeadLetters, in.Faults, in.NoDeadLetters, &a),
	}
	a.Passed = true
	for _, c := range a.Checks {
		a.Passed = a.Passed && c.Passed
	}
	return a, nil
}

// checkTerminal: every order of the run is settled, and every order the
// shop accepted (201/202) ended shipped or cancelled, never declined
// after the shopper was told it was placed.
func checkTerminal(orders []sqlstore.AuditOrder, accepted []loadgen.AcceptedOrder) Check {
	c := Check{Name: "every accepted order reached a terminal state", Passed: true}
	byID := make(map[string]sqlstore.AuditOrder, len(orders))
	open := 0
	for _, o := range orders {
		byID[o.ID] = o
		if !settled(o.Status) {
			open++
			c.problem("order %s is still %s (created %s, last change %s)", o.ID, o.Status,
				o.CreatedAt.Format(time.TimeOnly), o.UpdatedAt.Format(time.TimeOnly))
		}
	}
	shipped, cancelled := 0, 0
	for _, acc := range accepted {
		o, ok := byID[acc.ID]
		switch {
		case acc.ID == "":
			c.problem("a checkout answered %d at %s named no order", acc.Status, acc.At.Format(time.TimeOnly))
		case !ok:
			c.problem("accepted order %s (%d at %s) is not in the database", acc.ID, acc.Status, acc.At.Format(time.TimeOnly))
		case o.Status == order.Shipped:
			shipped++
		case o.Status == order.Cancelled:
			cancelled++
		case settled(o.Status):
			c.problem("accepted order %s (%d) ended %s: the shopper was told it was placed", o.ID, acc.Status, o.Status)
		}
	}
	c.Summary = fmt.Sprintf("%d orders created during the run, %d not settled; of %d accepted, %d shipped and %d cancelled",
		len(orders), open, len(accepted), shipped, cancelled)
	return c
}

// checkStock: for every SKU, stock at the baseline = stock now + units on
// the run's orders that still hold stock. More now than that is stock
// conjured from nothing (or an order lost); less is an oversell or a leak.
func checkStock(initial, now, sold map[string]int, a *Audit) Check {
	c := Check{Name: "nothing oversold: initial = available + sold, per SKU", Passed: true}
	skus := make([]string, 0, len(initial))
	for sku := range initial {
		skus = append(skus, sku)
	}
	for sku := range sold {
		if _, ok := initial[sku]; !ok {
			skus = append(skus, sku)
		}
	}
	slices.Sort(skus)
	bad := 0
	for _, sku := range skus {
		init, known := initial[sku]
		cur, s := now[sku], sold[sku]
		a.SoldUnits += s
		switch {
		case !known:
			bad++
			c.problem("%s: %d sold during the run, but the SKU did not exist at the baseline", sku, s)
			continue
		case cur < 0:
			bad++
			c.problem("%s: available is %d", sku, cur)
		case cur+s > init:
			bad++
			c.problem("%s: initial %d < available %d + sold %d: %d more than existed", sku, init, cur, s, cur+s-init)
		case cur+s < init:
			bad++
			c.problem("%s: initial %d > available %d + sold %d: %d units vanished", sku, init, cur, s, init-cur-s)
		}
		if init > 0 && cur == 0 && s > 0 {
			a.SoldOut = append(a.SoldOut, sku)
		}
	}
	c.Summary = fmt.Sprintf("%d SKUs checked, %d units sold, %d sold out during the run, %d SKUs wrong",
		len(skus), a.SoldUnits, len(a.SoldOut), bad)
	return c
}
