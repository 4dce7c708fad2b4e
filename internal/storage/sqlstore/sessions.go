package sqlstore

import (
	"context"
	"database/sql"
	"time"

	"github.com/peakshop/peakshop/internal/domain/account"
	"github.com/peakshop/peakshop/internal/domain/apperr"
	"github.com/peakshop/peakshop/internal/platform/synthetic"
)

// CreateSession stores a session; s.ID is the token's hash.
func (s *Store) CreateSession(ctx context.Context, sess account.Session) error {
	// synthetic marks a load rehearsal's session, which the funnel figures
	// leave out.
	_, err := runner{c: s.write}.exec(ctx, `INSERT INTO sessions (id, customer_id, cart_id, created_at, expires_at, synthetic)
		VALUES ($1, $2, $3, $4, $5, $6)`, sess.ID, nullString(sess.CustomerID), nullString(sess.CartID),
		micros(sess.CreatedAt), micros(sess.ExpiresAt), synthetic.FromContext(ctx))
	if err != nil {
		return s.conflictOr(err, "session", "exists", "create session")
	}
	return nil
}

// Session returns a live session with its customer's details. A signed-in
// session's cart is the account's, so every device sees one cart.
func (s *Store) Session(ctx context.Context, id string, now time.Time) (account.Session, error) {
	sess := account.Session{ID: id}
	var (
		customer, cart, email, name, accountCart sql.NullString
		created, expires                         int64
	)
	err := s.reader().queryRow(ctx, `SELECT s.customer_id, s.cart_id, s.created_at, s.expires_at, c.email, c.name, c.cart_id
		FROM sessions s LEFT JOIN customers c ON c.id = s.customer_id
		WHERE s.id = $1 AND s.expires_at > $2`, id, micros(now)).
		Scan(&customer, &cart, &created, &expires, &email, &name, &accountCart)
	if err == sql.ErrNoRows {
		return account.Session{}, apperr.New(apperr.NotFound, "no such session")
	}
	if err != nil {
		return account.Session{}, wrapf(err, "session")
	}
	sess.CustomerID, sess.CartID = customer.String, cart.String
	if customer.Valid {
		sess.Email, sess.Name, sess.CartID = email.String, name.String, accountCart.String
	}
	sess.CreatedAt, sess.ExpiresAt = fromMicros(created), fromMicros(expires)
	return sess, nil
}

// SetSessionCart sets a guest session's cart when it is still expected.
func (s *Store) SetSessionCart(ctx context.Context, id, cartID, expected string) (bool, error) {
	n, err := runner{c: s.write}.affected(ctx, `UPDATE sessions SET cart_id = $2 WHERE id = $1 AND COALESCE(cart_id, '') = $3`,
		id, cartID, expected)
	if err != nil {
		return false, wrapf(err, "set session cart")
	}
	return n == 1, nil
}

// DeleteSession removes a session; a missing one is no error (signed out twice).
func (s *Store) DeleteSession(ctx context.Context, id string) error {
	_, err := runner{c: s.write}.exec(ctx, `DELETE FROM sessions WHERE id = $1`, id)
	return wrapf(err, "delete session")
}
