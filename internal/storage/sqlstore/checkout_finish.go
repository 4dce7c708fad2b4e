package sqlstore

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/peakshop/peakshop/internal/domain/apperr"
	"github.com/peakshop/peakshop/internal/domain/order"
)

const (
	sqlSettleOrder = `UPDATE orders SET status = $2, reason = $3, updated_at = $4
		WHERE id = $1 AND status IN ('pending_payment', 'payment_queued')
		RETURNING cart_id, total_amount, currency, customer_id, coupon_code`
	sqlInsertPayment = `INSERT INTO payments (order_id, provider, charge_id, amount, currency, idempotency_key, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7)`
	sqlOrderStock = `SELECT sku, quantity FROM order_lines WHERE order_id = $1 ORDER BY sku`
	sqlGiveStock  = `UPDATE variants SET available = available + $1 WHERE sku = $2`
	sqlReopenCart = `UPDATE carts SET status = 'open', updated_at = $2 WHERE id = $1`
	sqlKeyDone    = `UPDATE idempotency_keys SET done = TRUE, result = $2 WHERE order_id = $1`
	sqlKeyRelease = `DELETE FROM idempotency_keys WHERE order_id = $1`
)

// FinishCheckout settles a PendingPayment order in one transaction; see
// order.Store. Only the first settlement of an order can move it out of
// PendingPayment (the UPDATE is conditional on it), so a second one is a
// Conflict that writes nothing and can never release stock twice.
func (s *Store) FinishCheckout(ctx context.Context, st order.Settlement) error {
	switch st.Status {
	case order.Paid:
		if st.Payment == nil {
			return apperr.New(apperr.Invalid, "a paid settlement needs a payment record")
		}
	case order.PaymentDeclined, order.PaymentFailed, order.Cancelled:
	default:
		return apperr.Errorf(apperr.Invalid, "cannot settle an order as %q", st.Status)
	}
	now := micros(st.Now)
	if s.dialect.WritableCTE && st.Status == order.Paid && !st.KeepKey && st.Result != nil && st.Order != nil {
		return s.settlePaidInOneStatement(ctx, st)
	}
	err := s.inTx(ctx, "finish checkout", func(r runner) error {
		var (
			cartID string
			o      settled
			coupon sql.NullString
		)
		err := r.queryRow(ctx, sqlSettleOrder, st.OrderID, string(st.Status), st.Reason, now).
			Scan(&cartID, &o.total.Amount, &o.total.Currency, &o.customer, &coupon)
		if err == sql.ErrNoRows {
			return settleStateError(ctx, r, st.OrderID)
		}
		if err != nil {
			return fmt.Errorf("settle order: %w", err)
		}
		if st.Status == order.Paid {
			p := st.Payment
			if _, err := r.exec(ctx, sqlInsertPayment, st.OrderID, p.Provider, p.ChargeID, p.Amount.Amount,
				p.Amount.Currency, p.IdempotencyKey, now); err != nil {
				return s.conflictOr(err, "payment", "is already recorded", "insert payment")
			}
		} else if err := releaseStock(ctx, r, st.OrderID, cartID, now); err != nil {
			return err
		} else if coupon.Valid {
			// After the stock, in the same lock order as checkout; the
			// shopper gets the coupon use back exactly as the units.
			if err := releaseCoupon(ctx, r, coupon.String, st.OrderID); err != nil {
				return err
			}
		}
		if err := settledEvents(ctx, r, st, o); err != nil {
			return err
		}
		if st.KeepKey {
			return nil
		}
		if st.Result == nil {
			_, err = r.exec(ctx, sqlKeyRelease, st.OrderID)
		} else {
			_, err = r.exec(ctx, sqlKeyDone, st.OrderID, st.Result)
		}
		if err != nil {
			return fmt.Errorf("update idempotency key: %w", err)
		}
		return nil
	})
	return wrapf(err, "finish checkout")
}

// releaseStock gives an order's units back, in SKU order like checkout takes
// them, and reopens its cart so the shopper can try again. SKUs deleted since
// checkout simply match no row.
func releaseStock(ctx context.Context, r runner, orderID, cartID string, now int64) error {
	rows, err := r.query(ctx, sqlOrderStock, orderID)
	if err != nil {
		return fmt.Errorf("order stock: %w", err)
	}
	type line struct {
		sku string
		qty int
	}
	var lines []line
	for rows.Next() {
		var l line
		if err := rows.Scan(&l.sku, &l.qty); err != nil {
			rows.Close()
			return fmt.Errorf("order stock: %w", err)
		}
		lines = append(lines, l)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("order stock: %w", err)
	}
	for _, l := range lines {
		if _, err := r.exec(ctx, sqlGiveStock, l.qty, l.sku); err != nil {
			return fmt.Errorf("release stock: %w", err)
		}
	}
	if _, err := r.exec(ctx, sqlReopenCart, cartID, now); err != nil {
		return fmt.Errorf("reopen cart: %w", err)
	}
	return nil
}

// settleStateError tells an unknown order (NotFound) from a settled one (Conflict).
func settleStateError(ctx context.Context, r runner, id string) error {
	var status string
	err := r.queryRow(ctx, `SELECT status FROM orders WHERE id = $1`, id).Scan(&status)
	switch {
	case err == sql.ErrNoRows:
		return apperr.New(apperr.NotFound, "order not found")
	case err != nil:
		return fmt.Errorf("order status: %w", err)
	}
	return apperr.Errorf(apperr.Conflict, "the order is already %s", status)
}
