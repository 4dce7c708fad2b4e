package sqlstore

import (
	"context"
	"database/sql"
	"sort"

	"github.com/peakshop/peakshop/internal/domain/apperr"
	"github.com/peakshop/peakshop/internal/domain/order"
)

// Timeline derives an order's steps from the rows each step writes anyway
// (order, payment, shipment, refund), so the timeline costs no extra write
// on the checkout or the workflow. See order.Store.
func (s *Store) Timeline(ctx context.Context, id string) ([]order.Step, error) {
	var (
		status, reason             string
		created, updated           int64
		paidAt, allocAt, shipAt    sql.NullInt64
		notifiedAt, refundAt       sql.NullInt64
		chargeID, warehouse, track sql.NullString
	)
	err := s.reader().queryRow(ctx, `SELECT o.status, o.reason, o.created_at, o.updated_at,
			p.created_at, p.charge_id, sh.allocated_at, sh.warehouse, sh.shipped_at, sh.tracking, sh.notified_at, rf.created_at
		FROM orders o
		LEFT JOIN payments p ON p.order_id = o.id
		LEFT JOIN shipments sh ON sh.order_id = o.id
		LEFT JOIN refunds rf ON rf.order_id = o.id
		WHERE o.id = $1`, id).Scan(&status, &reason, &created, &updated, &paidAt, &chargeID, &allocAt, &warehouse, &shipAt, &track, &notifiedAt, &refundAt)
	if err == sql.ErrNoRows {
		return nil, apperr.New(apperr.NotFound, "order not found")
	}
	if err != nil {
		return nil, wrapf(err, "order timeline")
	}
	steps := []order.Step{{Name: "placed", At: fromMicros(created)}}
	add := func(name string, at sql.NullInt64, detail string) {
		if at.Valid {
			steps = append(steps, order.Step{Name: name, At: fromMicros(at.Int64), Detail: detail})
		}
	}
	add("paid", paidAt, chargeID.String)
	add("allocated", allocAt, warehouse.String)
	add("shipped", shipAt, track.String)
	add("notified", notifiedAt, "")
	add("refunded", refundAt, "")
	switch order.Status(status) {
	case order.Cancelled, order.PaymentDeclined, order.PaymentFailed:
		add(status, sql.NullInt64{Int64: updated, Valid: true}, reason)
	}
	events, err := s.paymentEventSteps(ctx, id)
	if err != nil {
		return nil, err
	}
	steps = append(steps, events...)
	sort.SliceStable(steps, func(i, j int) bool { return steps[i].At.Before(steps[j].At) })
	return steps, nil
}
