package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/peakshop/peakshop/internal/domain/apperr"
	"github.com/peakshop/peakshop/internal/domain/event"
	"github.com/peakshop/peakshop/internal/domain/money"
	"github.com/peakshop/peakshop/internal/domain/order"
)

// The fulfillment workflow's writes. Each is one transaction, conditional on
// the order's status, so a step repeated after a crash changes nothing the
// second time: that is what makes the workflow's database steps safe under
// DBOS's at-least-once step execution.

// PaymentToken returns the card token a queued checkout left for its
// workflow, or apperr NotFound once the order was settled.
func (s *Store) PaymentToken(ctx context.Context, orderID string) (string, error) {
	var tok string
	err := s.reader().queryRow(ctx, `SELECT token FROM order_payment_tokens WHERE order_id = $1`, orderID).Scan(&tok)
	if err == sql.ErrNoRows {
		return "", apperr.New(apperr.NotFound, "no queued payment for the order")
	}
	return tok, wrapf(err, "payment token")
}

// Charge returns the charge recorded for an order, or apperr NotFound.
func (s *Store) Charge(ctx context.Context, orderID string) (chargeID string, amount money.Money, err error) {
	err = s.reader().queryRow(ctx, `SELECT charge_id, amount, currency FROM payments WHERE order_id = $1`, orderID).
		Scan(&chargeID, &amount.Amount, &amount.Currency)
	if err == sql.ErrNoRows {
		return "", money.Money{}, apperr.New(apperr.NotFound, "the order has no payment")
	}
	return chargeID, amount, wrapf(err, "charge of order")
}

// Allocate assigns a paid order to a warehouse. Repeating it is a no-op; an
// order that is not paid (cancelled meanwhile) is a Conflict.
func (s *Store) Allocate(ctx context.Context, orderID, warehouse string, now time.Time) error {
	at := micros(now)
	err := s.inTx(ctx, "allocate", func(r runner) error {
		n, err := r.affected(ctx, `UPDATE orders SET status = 'allocated', updated_at = $2 WHERE id = $1 AND status = 'paid'`, orderID, at)
		if err != nil {
			return fmt.Errorf("allocate order: %w", err)
		}
		if n == 0 {
			return expectStatus(ctx, r, orderID, order.Allocated, order.Shipped)
		}
		_, err = r.exec(ctx, `INSERT INTO shipments (order_id, warehouse, allocated_at) VALUES ($1, $2, $3)
			ON CONFLICT (order_id) DO NOTHING`, orderID, warehouse, at)
		return err
	})
	return wrapf(err, "allocate")
}

// MarkShipped records the carrier's tracking number on an allocated order.
func (s *Store) MarkShipped(ctx context.Context, orderID, tracking string, now time.Time) error {
	at := micros(now)
	err := s.inTx(ctx, "mark shipped", func(r runner) error {
		n, err := r.affected(ctx, `UPDATE orders SET status = 'shipped', updated_at = $2 WHERE id = $1 AND status = 'allocated'`, orderID, at)
		if err != nil {
			return fmt.Errorf("ship order: %w", err)
		}
		if n == 0 {
			return expectStatus(ctx, r, orderID, order.Shipped)
		}
		_, err = r.exec(ctx, `UPDATE shipments SET tracking = $2, shipped_at = $3 WHERE order_id = $1`, orderID, tracking, at)
		return err
	})
	return wrapf(err, "mark shipped")
}

// MarkNotified hands order.shipped to the outbox, once: the shipment's
// notified_at is set in the same transaction and guards the insert.
func (s *Store) MarkNotified(ctx context.Context, orderID string, now time.Time) error {
	at := micros(now)
	err := s.inTx(ctx, "mark notified", func(r runner) error {
		var (
			d   event.OrderData
			cus sql.NullString
		)
		err := r.queryRow(ctx, `UPDATE shipments SET notified_at = $2
			WHERE order_id = $1 AND notified_at IS NULL AND shipped_at IS NOT NULL RETURNING tracking, warehouse`, orderID, at).
			Scan(&d.Tracking, &d.Warehouse)
		if err == sql.ErrNoRows {
			return nil // notified already
		}
		if err != nil {
			return fmt.Errorf("mark notified: %w", err)
		}
		if err := r.queryRow(ctx, `SELECT customer_id, total_amount, currency FROM orders WHERE id = $1`, orderID).
			Scan(&cus, &d.Total.Amount, &d.Total.Currency); err != nil {
			return fmt.Errorf("read order: %w", err)
		}
		d.OrderID, d.CustomerID = orderID, cus.String
		e, err := event.New(event.OrderEventID(orderID, event.OrderShipped), event.OrderShipped, orderID, now, d)
		if err != nil {
			return err
		}
		return insertEvents(ctx, r, e)
	})
	return wrapf(err, "mark notified")
}

// Refund records a refund made to compensate a cancelled paid order.
type Refund struct {
	IdempotencyKey string
	Amount         money.Money
}

// CancelPaid cancels a paid or allocated order that cannot be fulfilled:
// its stock goes back, its coupon use (if any) is released, the refund (if
// any) is recorded, and order.cancelled goes to the outbox. Repeating it is
// a no-op.
func (s *Store) CancelPaid(ctx context.Context, orderID, reason string, refund *Refund, now time.Time) error {
	at := micros(now)
	err := s.inTx(ctx, "cancel paid order", func(r runner) error {
		var (
			d   = event.OrderData{OrderID: orderID, Reason: reason}
			cus sql.NullString
		)
		err := r.queryRow(ctx, `UPDATE orders SET status = 'cancelled', reason = $2, updated_at = $3
			WHERE id = $1 AND status IN ('paid', 'allocated') RETURNING customer_id, total_amount, currency`, orderID, reason, at).
			Scan(&cus, &d.Total.Amount, &d.Total.Currency)
		if err == sql.ErrNoRows {
			return expectStatus(ctx, r, orderID, order.Cancelled)
		}
		if err != nil {
			return fmt.Errorf("cancel order: %w", err)
		}
		d.CustomerID = cus.String
		if err := giveBack(ctx, r, orderID); err != nil {
			return err
		}
		if err := releasePaidCoupon(ctx, r, orderID); err != nil {
			return err
		}
		if refund != nil {
			if _, err := r.exec(ctx, `INSERT INTO refunds (order_id, idempotency_key, amount, currency, created_at) VALUES ($1, $2, $3, $4, $5)`,
				orderID, refund.IdempotencyKey, refund.Amount.Amount, refund.Amount.Currency, at); err != nil {
				return fmt.Errorf("record refund: %w", err)
			}
		}
		e, err := event.New(event.OrderEventID(orderID, event.OrderCancelled), event.OrderCancelled, orderID, now, d)
		if err != nil {
			return err
		}
		return insertEvents(ctx, r, e)
	})
	return wrapf(err, "cancel paid order")
}

// giveBack returns an order's units to stock, in SKU order.
func giveBack(ctx context.Context, r runner, orderID string) error {
	_, err := r.exec(ctx, `UPDATE variants SET available = available +
		(SELECT quantity FROM order_lines l WHERE l.order_id = $1 AND l.sku = variants.sku)
		WHERE sku IN (SELECT sku FROM order_lines WHERE order_id = $1)`, orderID)
	if err != nil {
		return fmt.Errorf("give stock back: %w", err)
	}
	return nil
}

// expectStatus turns "nothing changed" into nil when the order is already
// in one of the statuses (the step ran before) and a Conflict otherwise.
func expectStatus(ctx context.Context, r runner, orderID string, ok ...order.Status) error {
	var st string
	err := r.queryRow(ctx, `SELECT status FROM orders WHERE id = $1`, orderID).Scan(&st)
	if err == sql.ErrNoRows {
		return apperr.New(apperr.NotFound, "order not found")
	}
	if err != nil {
		return fmt.Errorf("order status: %w", err)
	}
	for _, s := range ok {
		if order.Status(st) == s {
			return nil
		}
	}
	return apperr.Errorf(apperr.Conflict, "the order is %s", st)
}
