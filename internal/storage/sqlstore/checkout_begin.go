package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"

	"github.com/peakshop/peakshop/internal/domain/apperr"
	"github.com/peakshop/peakshop/internal/domain/event"
	"github.com/peakshop/peakshop/internal/domain/order"
)

// The hot path's statements, as constants so their prepared forms are found
// by text. The stock decrement is the whole oversell guard: a row is only
// changed while it still has enough, and each engine serialises writers of a
// row, so concurrent buyers can never take the count below zero.
const (
	sqlClaimKey = `INSERT INTO idempotency_keys (idem_key, request_hash, order_id, done, created_at)
		VALUES ($1, $2, $3, FALSE, $4) ON CONFLICT (idem_key) DO NOTHING`
	sqlTakeCart = `UPDATE carts SET status = 'checked_out', updated_at = $2 WHERE id = $1 AND status = 'open'`
	// Only an open cart has lines to check out.
	sqlCartLines = `SELECT i.sku, i.quantity, p.name, v.name, v.price_amount, v.price_currency, p.published
		FROM carts c JOIN cart_items i ON i.cart_id = c.id JOIN variants v ON v.sku = i.sku JOIN products p ON p.id = v.product_id
		WHERE c.id = $1 AND c.status = 'open' ORDER BY i.sku`
	sqlTakeStock   = `UPDATE variants SET available = available - $1 WHERE sku = $2 AND available >= $1 RETURNING available`
	sqlInsertOrder = `INSERT INTO orders (id, status, email, address, cart_id, total_amount, currency, reason, created_at, updated_at, customer_id,
		discount_amount, coupon_code)
		VALUES ($1, $2, $3, $4, $5, $6, $7, '', $8, $8, $9, $10, $11)`
	sqlInsertOrderLines = `INSERT INTO order_lines (order_id, sku, name, quantity, unit_amount, currency, discount_amount) VALUES `
	orderLineCols       = 7
	sqlKeyShort         = `UPDATE idempotency_keys SET done = TRUE, result = $2, order_id = NULL WHERE idem_key = $1`
	// A queued checkout's answer is final when its transaction commits.
	sqlKeyAccepted = `UPDATE idempotency_keys SET done = TRUE, result = $2 WHERE idem_key = $1`
	sqlQueueToken  = `INSERT INTO order_payment_tokens (order_id, token) VALUES ($1, $2)`
)

// BeginCheckout claims the key, takes the cart, reserves stock for every line
// in SKU order and writes the order, in one transaction. See order.Store.
//
// When stock is short the lines taken before the short one are given back
// and the cart stays open, but the key is kept, holding the OutOfStock
// result, so a retry with the key replays the same answer.
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
		lines, err := cartLines(ctx, r, b.CartID)
		if err != nil {
			return err
		}
		if len(lines) == 0 {
			return noLinesError(ctx, r, b.CartID)
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
		// The cart is taken after its stock, so that a short checkout has
		// only the lines before the short one to give back and needs no
		// savepoint: on SQLite a savepoint is a statement on the one writer
		// and stays open under every later checkout in the same group commit.
		// Two checkouts racing for one cart (different keys) both reach this
		// UPDATE; the loser's 0 rows fail its transaction, stock included.
		if n, err := r.affected(ctx, sqlTakeCart, b.CartID, now); err != nil {
			return fmt.Errorf("take cart: %w", err)
		} else if n == 0 {
			return cartStateError(ctx, r, b.CartID)
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
		o := &order.Order{
			ID: b.OrderID, Status: status, Email: b.Email, ShippingAddress: b.Address,
			Lines: lines, Total: total, CartID: b.CartID, CustomerID: b.CustomerID, CreatedAt: fromMicros(now), UpdatedAt: fromMicros(now),
		}
		events, err := placedEvents(b, o, low)
		if err != nil {
			return err
		}
		if err := s.insertOrder(ctx, r, []any{b.OrderID, string(status), b.Email, string(address),
			b.CartID, total.Amount, total.Currency, now, nullString(b.CustomerID), discount, nullString(b.Coupon)}, lines, events); err != nil {
			return err
		}
		if err := queuedCheckout(ctx, r, b, o); err != nil {
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

// cartLines reads an open cart's lines priced now, in SKU order: the lock order
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
		var published bool
		if err := rows.Scan(&l.SKU, &l.Quantity, &product, &variant, &l.UnitPrice.Amount, &l.UnitPrice.Currency, &published); err != nil {
			return nil, fmt.Errorf("cart lines: %w", err)
		}
		if !published {
			// Taken back to draft after it went into the cart: not for sale.
			return nil, apperr.InvalidFields([]apperr.FieldError{{Field: "cart_id",
				Reason: "item " + l.SKU + " is no longer for sale; remove it from the cart"}})
		}
		l.Name = lineName(product, variant)
		lines = append(lines, l)
	}
	return lines, rows.Err()
}

// noLinesError explains a cart with nothing to check out: unknown, no
// longer open, or open and empty.
func noLinesError(ctx context.Context, r runner, cartID string) error {
	var status string
	err := r.queryRow(ctx, `SELECT status FROM carts WHERE id = $1`, cartID).Scan(&status)
	switch {
	case err == sql.ErrNoRows:
		return apperr.New(apperr.NotFound, "cart not found")
	case err != nil:
		return fmt.Errorf("cart status: %w", err)
	case status != "open":
		return apperr.Errorf(apperr.Conflict, "the cart is %s and can no longer change", status)
	}
	return apperr.InvalidFields([]apperr.FieldError{{Field: "cart_id", Reason: "the cart is empty"}})
}

// lineName is how an ordered SKU is named on the order, frozen at checkout.
func lineName(product, variant string) string {
	if variant == "" || variant == product {
		return product
	}
	return product + " (" + variant + ")"
}

// insertOrder writes the order (orderArgs are sqlInsertOrder's), its lines
// and its events. With writable CTEs that is one statement, one round trip.
func (s *Store) insertOrder(ctx context.Context, r runner, orderArgs []any, lines []order.Line, events []event.Event) error {
	orderID := orderArgs[0]
	lineArgs := make([]any, 0, len(lines)*orderLineCols)
	for _, l := range lines {
		lineArgs = append(lineArgs, orderID, l.SKU, l.Name, l.Quantity, l.UnitPrice.Amount, l.UnitPrice.Currency, l.Discount.Amount)
	}
	eventArgs := outboxArgs(ctx, events)
	if s.dialect.WritableCTE {
		first := len(orderArgs) + 1
		q := `WITH o AS (` + sqlInsertOrder + `), l AS (` + sqlInsertOrderLines + valuesRowsFrom(first, len(lines), orderLineCols) +
			`) ` + sqlInsertOutbox + valuesRowsFrom(first+len(lineArgs), len(events), outboxCols)
		args := append(append(append(make([]any, 0, len(orderArgs)+len(lineArgs)+len(eventArgs)), orderArgs...), lineArgs...), eventArgs...)
		if _, err := r.exec(ctx, q, args...); err != nil {
			return s.conflictOr(err, "order_id", "is taken", "insert order")
		}
		return nil
	}
	if _, err := r.exec(ctx, sqlInsertOrder, orderArgs...); err != nil {
		return s.conflictOr(err, "order_id", "is taken", "insert order")
	}
	if _, err := r.exec(ctx, sqlInsertOrderLines+valuesRows(len(lines), orderLineCols), lineArgs...); err != nil {
		return fmt.Errorf("insert order lines: %w", err)
	}
	if _, err := r.exec(ctx, sqlInsertOutbox+valuesRows(len(events), outboxCols), eventArgs...); err != nil {
		return fmt.Errorf("insert outbox: %w", err)
	}
	return nil
}

// shortOfStock gives back the units taken before the failed line, lists every
// short line (the one that failed first among them) and records the
// OutOfStock result under the key.
func (s *Store) shortOfStock(ctx context.Context, r runner, b order.Begin, lines []order.Line, failed int) ([]apperr.Shortage, error) {
	for _, l := range lines[:failed] {
		if _, err := r.exec(ctx, sqlGiveStock, l.Quantity, l.SKU); err != nil {
			return nil, fmt.Errorf("give back stock: %w", err)
		}
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
