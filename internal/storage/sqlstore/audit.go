package sqlstore

import (
	"context"
	"database/sql"
	"time"

	"github.com/peakshop/peakshop/internal/domain/order"
)

// The reads below serve `peakshop rehearse`'s audit (internal/rehearse): a
// whole-table view of stock, orders, payments and refunds after a run, to
// prove nothing was oversold, lost or charged twice. They read the read
// pool and write nothing.

// AuditOrder is one order with its money as the audit needs it.
type AuditOrder struct {
	ID        string
	Status    order.Status
	Reason    string
	CreatedAt time.Time
	UpdatedAt time.Time
	Payments  int  // payment rows (the schema allows one; the audit counts anyway)
	Refunded  bool // a refund row exists
}

// AuditStock returns every SKU's available stock.
func (s *Store) AuditStock(ctx context.Context) (map[string]int, error) {
	rows, err := s.reader().query(ctx, `SELECT sku, available FROM variants`)
	if err != nil {
		return nil, wrapf(err, "audit stock")
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var sku string
		var n int
		if err := rows.Scan(&sku, &n); err != nil {
			return nil, wrapf(err, "audit stock")
		}
		out[sku] = n
	}
	return out, wrapf(rows.Err(), "audit stock")
}

// AuditOrders returns the orders created at or after since, with how many
// payments and whether a refund each has.
func (s *Store) AuditOrders(ctx context.Context, since time.Time) ([]AuditOrder, error) {
	rows, err := s.reader().query(ctx, `SELECT o.id, o.status, o.reason, o.created_at, o.updated_at,
		(SELECT COUNT(*) FROM payments p WHERE p.order_id = o.id),
		(SELECT COUNT(*) FROM refunds r WHERE r.order_id = o.id)
		FROM orders o WHERE o.created_at >= $1 ORDER BY o.created_at, o.id`, micros(since))
	if err != nil {
		return nil, wrapf(err, "audit orders")
	}
	defer rows.Close()
	var out []AuditOrder
	for rows.Next() {
		var o AuditOrder
		var created, updated int64
		var refunds int
		if err := rows.Scan(&o.ID, &o.Status, &o.Reason, &created, &updated, &o.Payments, &refunds); err != nil {
			return nil, wrapf(err, "audit orders")
		}
		o.CreatedAt, o.UpdatedAt, o.Refunded = fromMicros(created), fromMicros(updated), refunds > 0
		out = append(out, o)
	}
	return out, wrapf(rows.Err(), "audit orders")
}

// AuditSold returns, per SKU, the quantity on orders created at or after
// since whose status still holds stock (order.Status.HoldsStock): what the
// warehouse gave up during the run.
func (s *Store) AuditSold(ctx context.Context, since time.Time) (map[string]int, error) {
	rows, err := s.reader().query(ctx, `SELECT o.status, l.sku, l.quantity FROM order_lines l
		JOIN orders o ON o.id = l.order_id WHERE o.created_at >= $1`, micros(since))
	if err != nil {
		return nil, wrapf(err, "audit sold")
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var st order.Status
		var sku string
		var q sql.NullInt64
		if err := rows.Scan(&st, &sku, &q); err != nil {
			return nil, wrapf(err, "audit sold")
		}
		if st.HoldsStock() {
			out[sku] += int(q.Int64)
		}
	}
	return out, wrapf(rows.Err(), "audit sold")
}
