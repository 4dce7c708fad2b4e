package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/peakshop/peakshop/internal/domain/apperr"
	"github.com/peakshop/peakshop/internal/domain/cart"
	"github.com/peakshop/peakshop/internal/platform/synthetic"
)

// CreateCart stores an empty open cart. A taken id is apperr Conflict.
func (s *Store) CreateCart(ctx context.Context, id string, now time.Time) error {
	// synthetic marks a load rehearsal's cart, which the funnel figures
	// (conversion, abandonment) leave out.
	_, err := runner{c: s.write}.exec(ctx, `INSERT INTO carts (id, status, created_at, updated_at, synthetic) VALUES ($1, $2, $3, $3, $4)`,
		id, string(cart.Open), micros(now), synthetic.FromContext(ctx))
	if err != nil {
		return s.conflictOr(err, "id", "is taken", "create cart")
	}
	return nil
}

// Cart returns the cart priced at current catalog prices, lines in the order
// they were first added.
func (s *Store) Cart(ctx context.Context, id string) (cart.Cart, error) {
	rows, err := s.reader().query(ctx, `SELECT c.status, c.updated_at, i.sku, i.quantity, v.price_amount, v.price_currency
		FROM carts c
		LEFT JOIN cart_items i ON i.cart_id = c.id
		LEFT JOIN variants v ON v.sku = i.sku
		WHERE c.id = $1 ORDER BY i.added_at, i.sku`, id)
	if err != nil {
		return cart.Cart{}, wrapf(err, "get cart")
	}
	defer rows.Close()
	c := cart.Cart{ID: id}
	found := false
	for rows.Next() {
		var (
			status   string
			upd      int64
			sku, cur sql.NullString
			qty, amt sql.NullInt64
		)
		if err := rows.Scan(&status, &upd, &sku, &qty, &amt, &cur); err != nil {
			return cart.Cart{}, wrapf(err, "get cart")
		}
		found = true
		c.Status, c.UpdatedAt = cart.Status(status), fromMicros(upd)
		if sku.Valid {
			it := cart.Item{SKU: sku.String, Quantity: int(qty.Int64)}
			it.UnitPrice.Amount, it.UnitPrice.Currency = amt.Int64, cur.String
			c.Items = append(c.Items, it)
		}
	}
	if err := rows.Err(); err != nil {
		return cart.Cart{}, wrapf(err, "get cart")
	}
	if !found {
		return cart.Cart{}, apperr.New(apperr.NotFound, "cart not found")
	}
	if err := c.Tally(s.currency); err != nil {
		return cart.Cart{}, wrapf(err, "price cart")
	}
	if err := s.discountCart(ctx, &c); err != nil {
		return cart.Cart{}, wrapf(err, "discount cart")
	}
	return c, nil
}

// SetQuantity sets a line's quantity; 0 removes the line. The cart row is
// updated first: that both checks the cart is open and, on PostgreSQL, locks
// it, so concurrent edits of one cart cannot both pass the MaxLines check.
func (s *Store) SetQuantity(ctx context.Context, id, sku string, quantity int, now time.Time) error {
	if quantity < 0 || quantity > cart.MaxQuantity {
		return apperr.InvalidFields([]apperr.FieldError{{Field: "quantity", Reason: fmt.Sprintf("must be between 0 and %d", cart.MaxQuantity)}})
	}
	err := s.inTx(ctx, "set quantity", func(r runner) error {
		if err := touchOpenCart(ctx, r, id, now); err != nil {
			return err
		}
		if quantity == 0 {
			_, err := r.exec(ctx, `DELETE FROM cart_items WHERE cart_id = $1 AND sku = $2`, id, sku)
			return err
		}
		// The SELECT from variants makes an unknown SKU (or a draft's,
		// which shoppers cannot see) insert nothing instead of failing a
		// foreign key, so it reads as NotFound.
		n, err := r.affected(ctx, `INSERT INTO cart_items (cart_id, sku, quantity, added_at)
			SELECT CAST($1 AS TEXT), sku, CAST($3 AS INTEGER), CAST($4 AS BIGINT) FROM variants
			WHERE sku = $2 AND product_id IN (SELECT id FROM products WHERE published = TRUE)
			ON CONFLICT (cart_id, sku) DO UPDATE SET quantity = excluded.quantity`, id, sku, quantity, micros(now))
		if err != nil {
			return fmt.Errorf("upsert cart item: %w", err)
		}
		if n == 0 {
			return apperr.New(apperr.NotFound, "SKU not found")
		}
		var lines int
		if err := r.queryRow(ctx, `SELECT COUNT(*) FROM cart_items WHERE cart_id = $1`, id).Scan(&lines); err != nil {
			return fmt.Errorf("count cart lines: %w", err)
		}
		if lines > cart.MaxLines {
			return apperr.InvalidFields([]apperr.FieldError{{Field: "sku", Reason: fmt.Sprintf("a cart holds at most %d different SKUs", cart.MaxLines)}})
		}
		return nil
	})
	return wrapf(err, "set quantity")
}

// touchOpenCart bumps an open cart's updated_at, or explains why it cannot:
// NotFound for an unknown cart, Conflict for one that is checked out.
func touchOpenCart(ctx context.Context, r runner, id string, now time.Time) error {
	n, err := r.affected(ctx, `UPDATE carts SET updated_at = $2 WHERE id = $1 AND status = 'open'`, id, micros(now))
	if err != nil {
		return fmt.Errorf("touch cart: %w", err)
	}
	if n == 1 {
		return nil
	}
	return cartStateError(ctx, r, id)
}

// cartStateError reads why a cart could not be taken.
func cartStateError(ctx context.Context, r runner, id string) error {
	var status string
	err := r.queryRow(ctx, `SELECT status FROM carts WHERE id = $1`, id).Scan(&status)
	switch {
	case err == sql.ErrNoRows:
		return apperr.New(apperr.NotFound, "cart not found")
	case err != nil:
		return fmt.Errorf("cart status: %w", err)
	}
	return apperr.Errorf(apperr.Conflict, "the cart is %s and can no longer change", status)
}
