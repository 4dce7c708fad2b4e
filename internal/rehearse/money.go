package rehearse

import (
	"context"
	"fmt"

	"github.com/peakshop/peakshop/internal/domain/order"
	"github.com/peakshop/peakshop/internal/payments/simulator"
	"github.com/peakshop/peakshop/internal/storage/sqlstore"
)

type moneyChecks struct{ twice, matches Check }

// paidFor reports whether an order in status s must hold exactly one
// captured, unrefunded charge.
func paidFor(s order.Status) bool {
	switch s {
	case order.Paid, order.Allocated, order.Shipped:
		return true
	}
	return false
}

// checkPayments asks two questions of the run's orders: was any charged
// more than once, and does the money match the order (a paid, allocated or
// shipped order kept exactly one charge; a cancelled, declined or failed
// one kept none)? With the simulator's ledger the provider's own record
// answers, across every process that charged or refunded; without it the
// shop's payments and refunds tables do, which can only see what the shop
// wrote down (their UNIQUE(order_id) makes a second payment row impossible,
// so a double capture at the provider would go unseen).
func checkPayments(ctx context.Context, orders []sqlstore.AuditOrder, ledger string, a *Audit) (moneyChecks, error) {
	m := moneyChecks{
		twice:   Check{Name: "no order charged more than once", Passed: true},
		matches: Check{Name: "money matches orders: paid orders kept one charge, the others none", Passed: true},
	}
	var la simulator.LedgerAudit
	if ledger != "" {
		var err error
		if la, err = simulator.AuditLedger(ctx, ledger); err != nil {
			return m, fmt.Errorf("audit: payment ledger: %w", err)
		}
		a.PaymentSource = "ledger"
	} else {
		a.PaymentSource = "database"
	}
	charges, twice := 0, 0
	for _, o := range orders {
		if ledger != "" {
			lm := la.Orders[o.ID]
			charges += lm.Charges
			if lm.Charges > 1 {
				twice++
				m.twice.problem("order %s (%s) was charged %d times by the provider", o.ID, o.Status, lm.Charges)
			}
			switch {
			case paidFor(o.Status) && !lm.Kept():
				m.matches.problem("order %s is %s but the provider holds no charge for it (%d captured, %d refunded)", o.ID, o.Status, lm.Charges, lm.Refunds)
			case !paidFor(o.Status) && settled(o.Status) && lm.Kept():
				m.matches.problem("order %s is %s (%s) but the provider kept its charge", o.ID, o.Status, o.Reason)
			}
		}
		if o.Payments > 1 {
			twice++
			m.twice.problem("order %s has %d payment rows", o.ID, o.Payments)
		}
		switch {
		case paidFor(o.Status) && o.Payments != 1:
			m.matches.problem("order %s is %s with %d payment rows", o.ID, o.Status, o.Payments)
		case o.Status == order.Cancelled && o.Payments > 0 && !o.Refunded:
			m.matches.problem("order %s was cancelled (%s) after payment and never refunded", o.ID, o.Reason)
		case (o.Status == order.PaymentDeclined || o.Status == order.PaymentFailed) && o.Payments > 0:
			m.matches.problem("order %s is %s but has a payment row", o.ID, o.Status)
		}
	}
	src := "the shop's payments table (no provider ledger given)"
	if ledger != "" {
		src = fmt.Sprintf("the payment simulator's ledger (%d charges captured for the run's orders) and the payments table", charges)
	}
	m.twice.Summary = fmt.Sprintf("%d orders checked against %s; %d charged more than once", len(orders), src, twice)
	m.matches.Summary = fmt.Sprintf("%d orders checked against %s", len(orders), src)
	return m, nil
}
