package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"

	"github.com/peakshop/peakshop/internal/domain/apperr"
	"github.com/peakshop/peakshop/internal/domain/order"
)

// The hot path's statements, as constants so their prepared forms are found
// by text. The stock decrement is the whole oversell guard: a row is only
// changed while it still has enough, and each engine serialises writers of a
// row, so concurrent buyers can never take the count below zero.
const (
	sqlClaimKey = `INSERT INTO idempotency_keys (idem_key, request_hash, order_id, done, created_at)
		VALUES ($1, $2, $3, FALSE, $4) ON CONFLICT (idem_key) DO NOTHING`
	sqlTakeCart  = `UPDATE carts SET status = 'checked_out', updated_at = $2 WHERE id = $1 AND status = 'open'`
	sqlCartLines = `SELECT i.sku, i.quantity, p.name, v.name, v.price_amount, v.price_currency
		FROM cart_items i JOIN variants v ON v.sku = i.sku JOIN products p ON p.id = v.product_id
		WHERE i.cart_id = $1 ORDER BY i.sku`
	sqlTakeStock   = `UPDATE variants SET available = available - $1 WHERE sku = $2 AND available >= $1 RETURNING available`
	sqlInsertOrder = `INSERT INTO orders (id, status, email, address, cart_id, total_amount, currency, reason, created_at, updated_at, customer_id,
		discount_amount, coupon_code)
		VALUES ($1, $2, $3, $4, $5, $6, $7, '', $8, $8, $9, $10, $11)`
	sqlKeyShort = `UPDATE idempotency_keys SET done = TRUE, result = $2, order_id = NULL WHERE idem_key = $1`
	// A queued checkout's answer is final when its transaction commits.
	sqlKeyAccepted = `UPDATE idempotency_keys SET done = TRUE, result = $2 WHERE idem_key = $1`
	sqlQueueToken  = `INSERT INTO order_payment_tokens (order_id, token) VALUES ($1, $2)`
)

// BeginCheckout claims the key, takes the cart, reserves stock for every line
// in SKU order and writes the order, in one transaction. See order.Store.
//
// The savepoint sits after the key claim: when stock is short everything after
// it (cart, stock) is rolled back, and the key is kept, holding the
// OutOfStock result, so a retry with the key replays the same answer.
func (s *Store) BeginCheckout(ctx context.Context, b order.Begin) (order.Begun, error) {
	if b.IdempotencyKey == "" || b.OrderID == "" || b.CartID == "" {
		return order.Begun{}, apperr.New(apperr.Invalid, "checkout needs an idempotency key, an order id and a cart id")
	}
	address, err := json.Marshal(b.Address)
	if err != nil {
		return order.Begun{}, wrapf(err, "encode address")
	}
	now := micros(b.Now)
	// An atomic load unless the snapshot is stale: with no promotion and no
	// coupon, pricing costs nothing more.
	promos, err := s.activePromotions(ctx, b.Now)
	if err != nil {
		return order.Begun{}, wrapf(err, "begin checkout")
	}
	var out order.Begun
	err = s.inTx(ctx, "begin checkout", func(r runner) error {
		out = order.Begun{}
		n, err := r.affected(ctx, sqlClaimKey, b.IdempotencyKey, b.RequestHash, b.OrderID, now)
		if err != nil {
			return fmt.Errorf("claim key: %w", err)
		}
		if n == 0 {
			rec, err := idempotencyRecord(ctx, r, b.IdempotencyKey)
			if err != nil {
				return err
			}
			out.Existing = &rec
			return nil
		}
		if _, err := r.exec(ctx, "SAVEPOINT reserve"); err != nil {
			return fmt.Errorf("savepoint: %w", err)
		}
		if n, err := r.affected(ctx, sqlTakeCart, b.CartID, now); err != nil {
			return fmt.Errorf("take cart: %w", err)
		} else if n == 0 {
			return cartStateError(ctx, r, b.CartID)
		}
		lines, err := cartLines(ctx, r, b.CartID)
		if err != nil {
			return err
		}
		if len(lines) == 0 {
			return apperr.InvalidFields([]apperr.FieldError{{Field: "cart_id", Reason: "the cart is empty"}})
		}
		var low []lowStock
		for i, l := range lines {
			var left int
			err := r.queryRow(ctx, sqlTakeStock, l.Quantity, l.SKU).Scan(&left)
			if err == sql.ErrNoRows {
				short, err := s.shortOfStock(ctx, r, b, lines, i)
				out.Shortages = short
				return err
			}
			if err != nil {
				return fmt.Errorf("take stock: %w", err)
			}
			if left < b.LowStock && left+l.Quantity >= b.LowStock {
				low = append(low, lowStock{sku: l.SKU, left: left})
			}
		}
		total, err := order.Total(lines, b.Currency)
		if err != nil {
			return fmt.Errorf("order total: %w", err)
		}
		var discount int64
		if len(promos) > 0 || b.Coupon != "" {
			// After the stock, so every checkout locks variants before the
			// coupon row and PostgreSQL cannot deadlock on the pair.
			if discount, err = s.applyPromotions(ctx, r, b, lines, promos, now); err != nil {
				return err
			}
			total.Amount -= discount
		}
		status := order.PendingPayment
		if b.Queued {
			status = order.PaymentQueued
		}
		if _, err := r.exec(ctx, sqlInsertOrder, b.OrderID, string(status), b.Email, string(address),
			b.CartID, total.Amount, total.Currency, now, nullString(b.CustomerID), discount, nullString(b.Coupon)); err != nil {
			return s.conflictOr(err, "order_id", "is taken", "insert order")
		}
		if err := insertOrderLines(ctx, r, b.OrderID, lines); err != nil {
			return err
		}
		o := &order.Order{
			ID: b.OrderID, Status: status, Email: b.Email, ShippingAddress: b.Address,
			Lines: lines, Total: total, CartID: b.CartID, CustomerID: b.CustomerID, CreatedAt: fromMicros(now), UpdatedAt: fromMicros(now),
		}
		if err := placedEvents(ctx, r, b, o, low); err != nil {
			return err
		}
		out.Order = o
		return nil
	})
	if err != nil {
		return order.Begun{}, wrapf(err, "begin checkout")
	}
	return out, nil
}

// cartLines reads the cart's lines priced now, in SKU order: the lock order
// that keeps concurrent checkouts on PostgreSQL free of deadlocks.
func cartLines(ctx context.Context, r runner, cartID string) ([]order.Line, error) {
	rows, err := r.query(ctx, sqlCartLines, cartID)
	if err != nil {
		return nil, fmt.Errorf("cart lines: %w", err)
	}
	defer rows.Close()
	var lines []order.Line
	for rows.Next() {
		var l order.Line
		var product, variant string
		if err := rows.Scan(&l.SKU, &l.Quantity, &product, &variant, &l.UnitPrice.Amount, &l.UnitPrice.Currency); err != nil {
			return nil, fmt.Errorf("cart lines: %w", err)
		}
		l.Name = lineName(product, variant)
		lines = append(lines, l)
	}
	return lines, rows.Err()
}

// lineName is how an ordered SKU is named on the order, frozen at checkout.
func lineName(product, variant string) string {
	if variant == "" || variant == product {
		return product
	}
	return product + " (" + variant + ")"
}

func insertOrderLines(ctx context.Context, r runner, orderID string, lines []order.Line) error {
	args := make([]any, 0, len(lines)*7)
	for _, l := range lines {
		args = append(args, orderID, l.SKU, l.Name, l.Quantity, l.UnitPrice.Amount, l.UnitPrice.Currency, l.Discount.Amount)
	}
	_, err := r.exec(ctx, `INSERT INTO order_lines (order_id, sku, name, quantity, unit_amount, currency, discount_amount) VALUES `+
		valuesRows(len(lines), 7), args...)
	if err != nil {
		return fmt.Errorf("insert order lines: %w", err)
	}
	return nil
}

// shortOfStock undoes the reservation back to the savepoint, lists every
// short line (the one that failed first among them) and records the
// OutOfStock result under the key.
func (s *Store) shortOfStock(ctx context.Context, r runner, b order.Begin, lines []order.Line, failed int) ([]apperr.Shortage, error) {
	if _, err := r.exec(ctx, "ROLLBACK TO SAVEPOINT reserve"); err != nil {
		return nil, fmt.Errorf("rollback to savepoint: %w", err)
	}
	args := make([]any, len(lines))
	for i, l := range lines {
		args[i] = l.SKU
	}
	rows, err := r.query(ctx, `SELECT sku, available FROM variants WHERE sku IN (`+placeholders(1, len(lines))+`)`, args...)
	if err != nil {
		return nil, fmt.Errorf("read stock: %w", err)
	}
	avail := make(map[string]int, len(lines))
	for rows.Next() {
		var sku string
		var n int
		if err := rows.Scan(&sku, &n); err != nil {
			rows.Close()
			return nil, fmt.Errorf("read stock: %w", err)
		}
		avail[sku] = n
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read stock: %w", err)
	}
	var short []apperr.Shortage
	for i, l := range lines {
		a := avail[l.SKU]
		// On PostgreSQL a restock may land between the failed UPDATE and this
		// read; the SKU that failed is reported short regardless.
		if a < l.Quantity || i == failed {
			short = append(short, apperr.Shortage{SKU: l.SKU, Requested: l.Quantity, Available: min(a, l.Quantity-1)})
		}
	}
	var result []byte
	if b.OutOfStock != nil {
		if result, err = b.OutOfStock(short); err != nil {
			return nil, fmt.Errorf("render out-of-stock result: %w", err)
		}
	}
	if _, err := r.exec(ctx, sqlKeyShort, b.IdempotencyKey, result); err != nil {
		return nil, fmt.Errorf("record out-of-stock result: %w", err)
	}
	return short, nil
}
