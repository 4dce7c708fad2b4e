package account

import (
	"context"
	"fmt"
	"time"

	"github.com/peakshop/peakshop/internal/domain/apperr"
	"github.com/peakshop/peakshop/internal/platform/ids"
)

// Role is what an account may do. Administrators are customers with the
// admin role: one sign-in form, one password hash, one throttle.
type Role string

// Roles.
const (
	RoleCustomer Role = "customer"
	RoleAdmin    Role = "admin"
)

// AdminState is what the admin console needs to know about a session.
type AdminState struct {
	CustomerID string
	Email      string
	Name       string
	Role       Role
	// Enrolled is whether the account has a TOTP secret.
	Enrolled bool
	// SecondFactor is whether this session passed TOTP after the password.
	SecondFactor bool
	ExpiresAt    time.Time
}

// Admin reports whether the session may use the admin console.
func (a AdminState) Admin() bool { return a.Role == RoleAdmin && a.Enrolled && a.SecondFactor }

// AdminStore keeps roles, TOTP secrets and second-factor sessions. Methods
// return apperr NotFound for a missing customer or session.
type AdminStore interface {
	// CreateAdmin stores a new customer with the admin role and its TOTP
	// secret; a taken e-mail address is apperr Conflict.
	CreateAdmin(ctx context.Context, c Customer, passwordHash, totpSecret string) error
	// AdminState returns the signed-in session's role and factors, or
	// NotFound when the session is missing, expired or a guest's.
	AdminState(ctx context.Context, sessionID string, now time.Time) (AdminState, error)
	TOTPSecret(ctx context.Context, customerID string) (string, error)
	// AcceptTOTPStep records step as used if it is later than the last one
	// used, and reports whether it was: the one-time rule, atomic across
	// instances.
	AcceptTOTPStep(ctx context.Context, customerID string, step int64) (bool, error)
	// CreateVerifiedSession stores a signed-in session marked as having
	// passed the second factor at verifiedAt.
	CreateVerifiedSession(ctx context.Context, s Session, verifiedAt time.Time) error
}

// AdminConfig tunes Admins; zero fields take the defaults in brackets.
type AdminConfig struct {
	Issuer string // shown in authenticator apps ["peakshop"]
	// SessionTTL is the life of a second-factor session [8 hours]: a
	// forgotten admin tab closes by itself the same working day.
	SessionTTL time.Duration
}

// ErrBadCode is the one answer to a wrong, expired or reused TOTP code.
var ErrBadCode = &apperr.Error{Kind: apperr.Unauthorized, Message: "that code is not right",
	Fields: []apperr.FieldError{{Field: "code", Reason: "code is not the current one, or was used already; wait for the next code"}}}

// Admins runs administrator accounts and their second factor on top of a
// Service (password hashing, the throttle, sessions).
type Admins struct {
	svc   *Service
	store AdminStore
	cfg   AdminConfig
}

// NewAdmins returns the admin side of svc over store.
func NewAdmins(svc *Service, store AdminStore, cfg AdminConfig) *Admins {
	if cfg.Issuer == "" {
		cfg.Issuer = "peakshop"
	}
	if cfg.SessionTTL <= 0 {
		cfg.SessionTTL = 8 * time.Hour
	}
	return &Admins{svc: svc, store: store, cfg: cfg}
}

// SessionTTL is how long a second-factor session lives.
func (a *Admins) SessionTTL() time.Duration { return a.cfg.SessionTTL }

// Create opens an administrator account and returns its TOTP enrolment,
// which is shown once: only its secret is stored.
func (a *Admins) Create(ctx context.Context, email, name, password string) (Customer, Enrolment, error) {
	req := SignUp{Email: email, Name: name, Password: password}
	req.Normalize()
	if err := req.Validate(); err != nil {
		return Customer{}, Enrolment{}, err
	}
	enr, err := NewEnrolment(a.cfg.Issuer, req.Email)
	if err != nil {
		return Customer{}, Enrolment{}, err
	}
	hash, err := a.svc.hash(ctx, req.Password)
	if err != nil {
		return Customer{}, Enrolment{}, err
	}
	now := a.svc.cfg.Now()
	c := Customer{ID: ids.New("cus", now), Email: req.Email, Name: req.Name, CreatedAt: now}
	if err := a.store.CreateAdmin(ctx, c, hash, enr.Secret); err != nil {
		return Customer{}, Enrolment{}, fmt.Errorf("create admin: %w", err)
	}
	return c, enr, nil
}

// State returns the role and factors of a stored session (by its id).
func (a *Admins) State(ctx context.Context, sessionID string) (AdminState, error) {
	return a.store.AdminState(ctx, sessionID, a.svc.cfg.Now())
}

// VerifyTOTP checks code for the administrator signed in with token. On
// success the session is replaced by a second-factor session that lives
// SessionTTL, and its token is returned. Guesses count against the sign-in
// throttle under the account's own subject.
func (a *Admins) VerifyTOTP(ctx context.Context, token, code string) (string, error) {
	if !ValidToken(token) {
		return "", apperr.New(apperr.NotFound, "no such session")
	}
	st, err := a.State(ctx, SessionID(token))
	if err != nil {
		return "", err
	}
	if st.Role != RoleAdmin || !st.Enrolled {
		return "", apperr.New(apperr.NotFound, "no second factor for this account")
	}
	subject := []string{"totp:" + st.CustomerID}
	if err := a.svc.throttled(ctx, subject); err != nil {
		return "", err
	}
	secret, err := a.store.TOTPSecret(ctx, st.CustomerID)
	if err != nil {
		return "", fmt.Errorf("verify totp: %w", err)
	}
	now := a.svc.cfg.Now()
	step, ok := matchTOTP(secret, code, now)
	if ok {
		if ok, err = a.store.AcceptTOTPStep(ctx, st.CustomerID, step); err != nil {
			return "", fmt.Errorf("verify totp: %w", err)
		}
	}
	if !ok {
		if err := a.svc.recordFailure(ctx, subject); err != nil {
			return "", err
		}
		return "", ErrBadCode
	}
	return a.verified(ctx, subject, st, token, now)
}

// verified ends a good second factor: the code's failures are forgotten and
// the password-only session is swapped for a new, verified one (a fresh
// token, so one seen before the second factor is worth nothing after).
func (a *Admins) verified(ctx context.Context, subject []string, st AdminState, token string, now time.Time) (string, error) {
	if err := a.svc.store.ClearSignInFailures(ctx, subject[0]); err != nil {
		return "", fmt.Errorf("clear totp failures: %w", err)
	}
	next := NewToken()
	sess := Session{ID: SessionID(next), CustomerID: st.CustomerID, Email: st.Email, Name: st.Name,
		CreatedAt: now, ExpiresAt: now.Add(a.cfg.SessionTTL)}
	if err := a.store.CreateVerifiedSession(ctx, sess, now); err != nil {
		return "", fmt.Errorf("create admin session: %w", err)
	}
	if err := a.svc.store.DeleteSession(ctx, SessionID(token)); err != nil {
		a.svc.logger.WarnContext(ctx, "delete password-only session after totp", "err", err)
	}
	return next, nil
}
