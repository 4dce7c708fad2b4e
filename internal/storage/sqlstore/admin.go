package sqlstore

import (
	"context"
	"database/sql"
	"time"

	"github.com/peakshop/peakshop/internal/domain/account"
	"github.com/peakshop/peakshop/internal/domain/apperr"
)

// The Store also keeps administrator roles and second factors.
var _ account.AdminStore = (*Store)(nil)

// CreateAdmin stores a new customer with the admin role and its TOTP secret.
func (s *Store) CreateAdmin(ctx context.Context, c account.Customer, passwordHash, totpSecret string) error {
	_, err := runner{c: s.write}.exec(ctx, `INSERT INTO customers (id, email, name, password_hash, role, totp_secret, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $7)`, c.ID, c.Email, c.Name, passwordHash, string(account.RoleAdmin), totpSecret, micros(c.CreatedAt))
	if err != nil {
		return s.conflictOr(err, "email", "already has an account", "create admin")
	}
	return nil
}

// AdminState returns a live signed-in session's role and factors.
func (s *Store) AdminState(ctx context.Context, sessionID string, now time.Time) (account.AdminState, error) {
	var (
		st       account.AdminState
		role     string
		secret   sql.NullString
		verified sql.NullInt64
		expires  int64
	)
	err := s.reader().queryRow(ctx, `SELECT c.id, c.email, c.name, c.role, c.totp_secret, s.second_factor_at, s.expires_at
		FROM sessions s JOIN customers c ON c.id = s.customer_id
		WHERE s.id = $1 AND s.expires_at > $2`, sessionID, micros(now)).
		Scan(&st.CustomerID, &st.Email, &st.Name, &role, &secret, &verified, &expires)
	if err == sql.ErrNoRows {
		return account.AdminState{}, apperr.New(apperr.NotFound, "no such session")
	}
	if err != nil {
		return account.AdminState{}, wrapf(err, "admin state")
	}
	st.Role, st.Enrolled, st.SecondFactor = account.Role(role), secret.String != "", verified.Valid
	st.ExpiresAt = fromMicros(expires)
	return st, nil
}

// TOTPSecret returns the customer's TOTP secret, NotFound when none.
func (s *Store) TOTPSecret(ctx context.Context, customerID string) (string, error) {
	var secret sql.NullString
	err := runner{c: s.write}.queryRow(ctx, `SELECT totp_secret FROM customers WHERE id = $1`, customerID).Scan(&secret)
	if err == sql.ErrNoRows || err == nil && !secret.Valid {
		return "", apperr.New(apperr.NotFound, "no totp secret")
	}
	return secret.String, wrapf(err, "totp secret")
}

// AcceptTOTPStep moves the last used step forward, only forward: a replayed
// code (same step) or an older one updates nothing.
func (s *Store) AcceptTOTPStep(ctx context.Context, customerID string, step int64) (bool, error) {
	n, err := runner{c: s.write}.affected(ctx, `UPDATE customers SET totp_last_step = $2, updated_at = $3
		WHERE id = $1 AND totp_last_step < $2`, customerID, step, micros(s.now()))
	if err != nil {
		return false, wrapf(err, "accept totp step")
	}
	return n == 1, nil
}

// CreateVerifiedSession stores a session that passed the second factor.
func (s *Store) CreateVerifiedSession(ctx context.Context, sess account.Session, verifiedAt time.Time) error {
	_, err := runner{c: s.write}.exec(ctx, `INSERT INTO sessions (id, customer_id, cart_id, created_at, expires_at, second_factor_at)
		VALUES ($1, $2, $3, $4, $5, $6)`, sess.ID, nullString(sess.CustomerID), nullString(sess.CartID),
		micros(sess.CreatedAt), micros(sess.ExpiresAt), micros(verifiedAt))
	if err != nil {
		return s.conflictOr(err, "session", "exists", "create verified session")
	}
	return nil
}

// SetTOTPSecret replaces an administrator's TOTP secret once enrolment
// confirmed it, with the confirming code's step as the last used one.
func (s *Store) SetTOTPSecret(ctx context.Context, customerID, secret string, step int64) error {
	n, err := runner{c: s.write}.affected(ctx, `UPDATE customers SET totp_secret = $2, totp_last_step = $3, updated_at = $4
		WHERE id = $1 AND role = 'admin'`, customerID, secret, step, micros(s.now()))
	if err != nil {
		return wrapf(err, "set totp secret")
	}
	if n == 0 {
		return apperr.New(apperr.NotFound, "no such administrator")
	}
	return nil
}
