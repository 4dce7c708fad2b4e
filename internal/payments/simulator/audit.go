package simulator

import (
	"context"
	"fmt"
	"os"
	"sort"
)

// LedgerAudit is what a ledger holds, summed per order: the evidence that
// no order paid twice, whichever processes charged it.
type LedgerAudit struct {
	// Orders maps an order id to what happened to its money.
	Orders map[string]OrderMoney
	// Charges, Declines and Refunds are the totals over all orders.
	Charges, Declines, Refunds int
	// ChargedTwice lists, sorted, the orders with more than one captured
	// charge (under different idempotency keys: one key cannot charge twice).
	ChargedTwice []string
}

// OrderMoney counts one order's captured charges, declines and refunds.
type OrderMoney struct {
	Charges, Declines, Refunds int
}

// Kept reports whether the shop keeps money for the order: captured and not
// refunded in full.
func (m OrderMoney) Kept() bool { return m.Charges > m.Refunds }

// AuditLedger reads the ledger at path. It refuses a path with no ledger
// rather than creating an empty one, which would pass any audit.
func AuditLedger(ctx context.Context, path string) (LedgerAudit, error) {
	if _, err := os.Stat(path); err != nil {
		return LedgerAudit{}, fmt.Errorf("simulator: audit: %w", err)
	}
	l, err := openLedger(ctx, path)
	if err != nil {
		return LedgerAudit{}, err
	}
	defer l.close()
	rows, err := l.db.QueryContext(ctx, `SELECT c.order_id, c.charge_id IS NOT NULL, r.charge_id IS NOT NULL
		FROM sim_charges c LEFT JOIN sim_refunds r ON r.charge_id = c.charge_id`)
	if err != nil {
		return LedgerAudit{}, fmt.Errorf("simulator: audit: %w", err)
	}
	defer rows.Close()
	a := LedgerAudit{Orders: map[string]OrderMoney{}}
	for rows.Next() {
		var id string
		var captured, refunded bool
		if err := rows.Scan(&id, &captured, &refunded); err != nil {
			return LedgerAudit{}, fmt.Errorf("simulator: audit: %w", err)
		}
		m := a.Orders[id]
		switch {
		case captured:
			m.Charges++
			a.Charges++
		default:
			m.Declines++
			a.Declines++
		}
		if refunded {
			m.Refunds++
			a.Refunds++
		}
		a.Orders[id] = m
	}
	if err := rows.Err(); err != nil {
		return LedgerAudit{}, fmt.Errorf("simulator: audit: %w", err)
	}
	for id, m := range a.Orders {
		if m.Charges > 1 {
			a.ChargedTwice = append(a.ChargedTwice, id)
		}
	}
	sort.Strings(a.ChargedTwice)
	return a, nil
}
