// Package account owns customer accounts: sign-up and sign-in rules, password
// hashing (argon2id), server-side sessions, the throttle on password
// guessing, merging a guest's cart into the account's on sign-in, and the
// Store port that keeps all of it. Transports hold only an opaque session
// token in a cookie; everything the token stands for lives behind Store.
package account

import (
	"context"
	"net/mail"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/peakshop/peakshop/internal/domain/apperr"
	"github.com/peakshop/peakshop/internal/domain/order"
)

// Customer is a person with an account.
type Customer struct {
	ID    string
	Email string // lower-cased and trimmed
	Name  string
	// CartID is the account's cart, shared by every device signed in to it;
	// empty until the customer first adds something.
	CartID    string
	CreatedAt time.Time
}

// Session is a visitor's server-side session. Guests have one as soon as they
// hold a cart; signing in replaces it with a new one (a new token), so a
// token seen before sign-in is worthless after it.
type Session struct {
	// ID is SessionID(token): the cookie's token is never stored.
	ID         string
	CustomerID string // empty for a guest
	Email      string // the customer's, when signed in
	Name       string
	// CartID is the visitor's cart: the account's when signed in, the
	// session's own for a guest. Empty when there is none yet.
	CartID    string
	CreatedAt time.Time
	ExpiresAt time.Time
}

// SignedIn reports whether the session belongs to a customer.
func (s Session) SignedIn() bool { return s.CustomerID != "" }

// SignUp is what a visitor submits to open an account.
type SignUp struct {
	Email    string
	Name     string
	Password string
}

// Credentials is what a visitor submits to sign in. IP is the client address
// the transport saw, for the per-address throttle.
type Credentials struct {
	Email    string
	Password string
	IP       string
}

// Limits of what people type.
const (
	MinPasswordLen = 10   // runes; length beats composition rules (NIST SP 800-63B)
	MaxPasswordLen = 1024 // bytes; argon2 would take more, but nobody types more
	maxEmailLen    = 254
	maxNameLen     = 100
)

// Errors a transport shows as they are.
var (
	// ErrBadCredentials is the one answer to a wrong e-mail or password, so
	// nobody learns which of the two was wrong.
	ErrBadCredentials = apperr.New(apperr.Unauthorized, "the e-mail or password is not right")
	// ErrTooManyAttempts means the throttle refused the attempt without
	// checking the password.
	ErrTooManyAttempts = apperr.New(apperr.Unavailable, "too many sign-in attempts; wait a few minutes and try again")
)

// NormalizeEmail trims and lower-cases an address: people type "Ada@Example.com "
// and expect it to be the account they opened as ada@example.com.
func NormalizeEmail(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

// ValidEmail reports whether s (normalized) is a plain address such as
// name@example.com: no display name, no angle brackets, a dot in the domain.
func ValidEmail(s string) bool {
	if s == "" || len(s) > maxEmailLen || strings.ContainsAny(s, " <>\"\r\n") {
		return false
	}
	a, err := mail.ParseAddress(s)
	return err == nil && a.Address == s && strings.Contains(s[strings.LastIndexByte(s, '@'):], ".")
}

// Normalize trims the fields people mistype; the password is kept exactly.
func (r *SignUp) Normalize() {
	r.Email = NormalizeEmail(r.Email)
	r.Name = strings.TrimSpace(r.Name)
}

// Validate lists every problem with a sign-up at once.
func (r *SignUp) Validate() error {
	var errs []apperr.FieldError
	if !ValidEmail(r.Email) {
		errs = append(errs, apperr.FieldError{Field: "email", Reason: "must be an e-mail address such as name@example.com"})
	}
	if utf8.RuneCountInString(r.Name) > maxNameLen || !utf8.ValidString(r.Name) || strings.ContainsAny(r.Name, "\x00\r\n") {
		errs = append(errs, apperr.FieldError{Field: "name", Reason: "must be a single line of at most 100 characters"})
	}
	if reason := passwordProblem(r.Password); reason != "" {
		errs = append(errs, apperr.FieldError{Field: "password", Reason: reason})
	}
	return apperr.InvalidFields(errs)
}

func passwordProblem(p string) string {
	switch {
	case !utf8.ValidString(p):
		return "must be text"
	case utf8.RuneCountInString(p) < MinPasswordLen:
		return "must be at least 10 characters; a few words in a row make a good one"
	case len(p) > MaxPasswordLen:
		return "must be at most 1024 characters"
	}
	return ""
}

// Store keeps accounts, sessions and throttle counters. Methods return
// apperr NotFound for a missing customer or session and Conflict for a taken
// e-mail address.
type Store interface {
	CreateCustomer(ctx context.Context, c Customer, passwordHash string) error
	// CustomerByEmail returns the customer and its password hash.
	CustomerByEmail(ctx context.Context, email string) (Customer, string, error)
	// SetCustomerCart sets the account's cart if it is still expected (""
	// for none) and reports whether it did: two tabs adding a first item at
	// once must not end up with two carts.
	SetCustomerCart(ctx context.Context, customerID, cartID, expected string) (bool, error)

	CreateSession(ctx context.Context, s Session) error
	// Session returns the session with its customer's details and effective
	// cart, or NotFound when it does not exist or expired before now.
	Session(ctx context.Context, id string, now time.Time) (Session, error)
	// SetSessionCart is SetCustomerCart for a guest session.
	SetSessionCart(ctx context.Context, id, cartID, expected string) (bool, error)
	DeleteSession(ctx context.Context, id string) error
	// DeleteExpiredSessions removes sessions that expired before now.
	DeleteExpiredSessions(ctx context.Context, now time.Time) (int, error)

	// SignInFailures returns the failures counted for subject in a window
	// that started at or after since (0 for an older window).
	SignInFailures(ctx context.Context, subject string, since time.Time) (int, error)
	// RecordSignInFailure counts a failure for subject, starting a new window
	// at now when the current one started before since, and returns the
	// count in the window.
	RecordSignInFailure(ctx context.Context, subject string, now, since time.Time) (int, error)
	ClearSignInFailures(ctx context.Context, subject string) error

	// CustomerOrders lists the customer's orders, newest first.
	CustomerOrders(ctx context.Context, customerID string, limit int) ([]order.Order, error)
}
