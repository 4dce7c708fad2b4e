package sqlstore

import (
	"context"
	"database/sql"

	"github.com/peakshop/peakshop/internal/domain/account"
	"github.com/peakshop/peakshop/internal/domain/apperr"
	"github.com/peakshop/peakshop/internal/domain/order"
)

// The Store also keeps customer accounts and sessions.
var _ account.Store = (*Store)(nil)

// CreateCustomer stores a new customer with its password hash. A taken
// e-mail address is apperr Conflict.
func (s *Store) CreateCustomer(ctx context.Context, c account.Customer, passwordHash string) error {
	_, err := runner{c: s.write}.exec(ctx, `INSERT INTO customers (id, email, name, password_hash, cart_id, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $6)`, c.ID, c.Email, c.Name, passwordHash, nullString(c.CartID), micros(c.CreatedAt))
	if err != nil {
		return s.conflictOr(err, "email", "already has an account", "create customer")
	}
	return nil
}

// CustomerByEmail returns the customer with the (normalized) address and its
// password hash, or apperr NotFound.
func (s *Store) CustomerByEmail(ctx context.Context, email string) (account.Customer, string, error) {
	var (
		c       = account.Customer{Email: email}
		hash    string
		cartID  sql.NullString
		created int64
	)
	err := s.reader().queryRow(ctx, `SELECT id, name, password_hash, cart_id, created_at FROM customers WHERE email = $1`, email).
		Scan(&c.ID, &c.Name, &hash, &cartID, &created)
	if err == sql.ErrNoRows {
		return account.Customer{}, "", apperr.New(apperr.NotFound, "no such customer")
	}
	if err != nil {
		return account.Customer{}, "", wrapf(err, "customer by email")
	}
	c.CartID, c.CreatedAt = cartID.String, fromMicros(created)
	return c, hash, nil
}

// SetCustomerCart sets the account's cart when it is still expected ("" for
// none), a compare-and-set so two first adds at once keep one cart.
func (s *Store) SetCustomerCart(ctx context.Context, customerID, cartID, expected string) (bool, error) {
	n, err := runner{c: s.write}.affected(ctx, `UPDATE customers SET cart_id = $2, updated_at = $4
		WHERE id = $1 AND COALESCE(cart_id, '') = $3`, customerID, cartID, expected, micros(s.now()))
	if err != nil {
		return false, wrapf(err, "set customer cart")
	}
	return n == 1, nil
}

// CustomerOrders lists a customer's orders newest first (ids sort by
// creation time), through the orders_customer index.
func (s *Store) CustomerOrders(ctx context.Context, customerID string, limit int) ([]order.Order, error) {
	if limit <= 0 || limit > maxOrderLimit {
		limit = defaultOrderLimit
	}
	os, err := s.orders(ctx, `SELECT `+orderCols+` FROM (SELECT * FROM orders WHERE customer_id = $1
		ORDER BY id DESC LIMIT $2) o JOIN order_lines l ON l.order_id = o.id ORDER BY o.id DESC, l.sku`, customerID, limit)
	return os, wrapf(err, "customer orders")
}

// nullString stores "" as NULL, for optional references.
func nullString(s string) sql.NullString { return sql.NullString{String: s, Valid: s != ""} }
