package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/peakshop/peakshop/internal/domain/apperr"
	"github.com/peakshop/peakshop/internal/domain/money"
	"github.com/peakshop/peakshop/internal/domain/order"
)

// Limits of the admin's order list.
const (
	defaultOrderLimit = 50
	maxOrderLimit     = 500
)

// orderCols reads an order and one of its lines per row; a page of orders is
// a subquery joined to its lines, one query whatever the page size.
const orderCols = `o.id, o.status, o.email, o.address, o.cart_id, o.total_amount, o.currency, o.reason,
	o.created_at, o.updated_at, l.sku, l.name, l.quantity, l.unit_amount, l.currency, o.customer_id, l.discount_amount`

// Order returns an order with its lines, or apperr NotFound.
func (s *Store) Order(ctx context.Context, id string) (order.Order, error) {
	os, err := s.orders(ctx, `SELECT `+orderCols+` FROM orders o JOIN order_lines l ON l.order_id = o.id
		WHERE o.id = $1 ORDER BY l.sku`, id)
	if err != nil {
		return order.Order{}, wrapf(err, "get order")
	}
	if len(os) == 0 {
		return order.Order{}, apperr.New(apperr.NotFound, "order not found")
	}
	return os[0], nil
}

// ListOrders returns orders newest first (ids sort by creation time), those
// with an id below q.Before when set, optionally only those in q.Status.
func (s *Store) ListOrders(ctx context.Context, q order.Query) ([]order.Order, error) {
	limit := q.Limit
	if limit <= 0 {
		limit = defaultOrderLimit
	}
	limit = min(limit, maxOrderLimit)
	var (
		where []string
		args  []any
	)
	if q.Before != "" {
		args = append(args, q.Before)
		where = append(where, fmt.Sprintf("id < $%d", len(args)))
	}
	if q.Status != "" {
		args = append(args, string(q.Status))
		where = append(where, fmt.Sprintf("status = $%d", len(args)))
	}
	cond := ""
	if len(where) > 0 {
		cond = " WHERE " + strings.Join(where, " AND ")
	}
	args = append(args, limit)
	os, err := s.orders(ctx, `SELECT `+orderCols+` FROM (SELECT * FROM orders`+cond+
		fmt.Sprintf(` ORDER BY id DESC LIMIT $%d) o`, len(args))+
		` JOIN order_lines l ON l.order_id = o.id ORDER BY o.id DESC, l.sku`, args...)
	return os, wrapf(err, "list orders")
}

// PendingOrders lists orders still PendingPayment created before the time,
// oldest first, for the recovery sweep.
func (s *Store) PendingOrders(ctx context.Context, createdBefore time.Time, limit int) ([]order.Order, error) {
	if limit <= 0 {
		limit = defaultOrderLimit
	}
	os, err := s.orders(ctx, `SELECT `+orderCols+` FROM (SELECT * FROM orders
		WHERE status = 'pending_payment' AND created_at < $1 ORDER BY created_at, id LIMIT $2) o
		JOIN order_lines l ON l.order_id = o.id ORDER BY o.created_at, o.id, l.sku`, micros(createdBefore), limit)
	return os, wrapf(err, "pending orders")
}

// orders runs a query of orderCols, ordered by order, and folds the rows.
func (s *Store) orders(ctx context.Context, query string, args ...any) ([]order.Order, error) {
	rows, err := s.reader().query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []order.Order{}
	for rows.Next() {
		var (
			o                order.Order
			l                order.Line
			status, address  string
			amount           int64
			currency         string
			created, updated int64
			customer         sql.NullString
			discount         int64
		)
		if err := rows.Scan(&o.ID, &status, &o.Email, &address, &o.CartID, &amount, &currency, &o.Reason,
			&created, &updated, &l.SKU, &l.Name, &l.Quantity, &l.UnitPrice.Amount, &l.UnitPrice.Currency, &customer, &discount); err != nil {
			return nil, err
		}
		l.LineTotal, err = l.UnitPrice.Times(l.Quantity)
		if err != nil {
			return nil, fmt.Errorf("order %s line total: %w", o.ID, err)
		}
		// Lines are sold at their price less what promotions and the coupon
		// took off, so the lines add up to the order total.
		if discount > 0 {
			l.Discount = money.Money{Amount: discount, Currency: l.UnitPrice.Currency}
			l.LineTotal.Amount -= discount
		}
		if n := len(out); n == 0 || out[n-1].ID != o.ID {
			if err := json.Unmarshal([]byte(address), &o.ShippingAddress); err != nil {
				return nil, fmt.Errorf("order %s address: %w", o.ID, err)
			}
			o.Status = order.Status(status)
			o.CustomerID = customer.String
			o.Total.Amount, o.Total.Currency = amount, currency
			o.CreatedAt, o.UpdatedAt = fromMicros(created), fromMicros(updated)
			out = append(out, o)
		}
		last := &out[len(out)-1]
		last.Lines = append(last.Lines, l)
	}
	return out, rows.Err()
}

// IdempotencyRecord returns what is stored under a key, or apperr NotFound.
func (s *Store) IdempotencyRecord(ctx context.Context, key string) (order.IdempotencyRecord, error) {
	rec, err := idempotencyRecord(ctx, s.reader(), key)
	return rec, wrapf(err, "idempotency record")
}

func idempotencyRecord(ctx context.Context, r runner, key string) (order.IdempotencyRecord, error) {
	rec := order.IdempotencyRecord{Key: key}
	var (
		orderID sql.NullString
		created int64
	)
	err := r.queryRow(ctx, `SELECT request_hash, order_id, done, result, created_at FROM idempotency_keys WHERE idem_key = $1`, key).
		Scan(&rec.RequestHash, &orderID, &rec.Done, &rec.Result, &created)
	if err == sql.ErrNoRows {
		return rec, apperr.New(apperr.NotFound, "idempotency key not found")
	}
	if err != nil {
		return rec, fmt.Errorf("read idempotency key: %w", err)
	}
	rec.OrderID, rec.CreatedAt = orderID.String, fromMicros(created)
	return rec, nil
}

// PaymentCount returns how many payments an order has (0 or 1: the schema
// allows no more); tests use it to prove a checkout never pays twice.
func (s *Store) PaymentCount(ctx context.Context, orderID string) (int, error) {
	var n int
	err := s.reader().queryRow(ctx, `SELECT COUNT(*) FROM payments WHERE order_id = $1`, orderID).Scan(&n)
	return n, wrapf(err, "payment count")
}

// OrderCount returns how many orders exist, optionally only in one status.
func (s *Store) OrderCount(ctx context.Context, status order.Status) (int, error) {
	var n int
	err := s.reader().queryRow(ctx, `SELECT COUNT(*) FROM orders WHERE $1 = '' OR status = $1`, string(status)).Scan(&n)
	return n, wrapf(err, "order count")
}
