package account

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/peakshop/peakshop/internal/domain/apperr"
	"github.com/peakshop/peakshop/internal/domain/cart"
	"github.com/peakshop/peakshop/internal/domain/order"
	"github.com/peakshop/peakshop/internal/platform/ids"
)

// Service runs accounts and sessions. It is safe for concurrent use.
type Service struct {
	store  Store
	carts  cart.Store
	cfg    Config
	logger *slog.Logger
	// hashing bounds concurrent argon2 runs: each holds Params.Memory, and a
	// crowd signing in at once must queue rather than exhaust memory.
	hashing chan struct{}
	// dummyHash is verified against when an e-mail has no account, so an
	// unknown address takes as long to refuse as a wrong password. Made on
	// first use: a hash at start would slow every process start for nothing.
	dummyHash func() string
}

// Config tunes a Service; zero fields take the defaults in brackets.
type Config struct {
	SessionTTL time.Duration  // how long a session lives [30 days]
	Password   PasswordParams // argon2id cost for new hashes [DefaultPasswordParams]
	MaxHashing int            // concurrent password hashes [4]
	// Sign-in throttle: failures allowed per e-mail address [5] and per
	// client address [50] within FailureWindow [15 minutes]. An address is
	// allowed more because many shoppers share one (offices, mobile NAT).
	MaxEmailFailures int
	MaxIPFailures    int
	FailureWindow    time.Duration
	Now              func() time.Time
}

func (c *Config) defaults() {
	if c.SessionTTL <= 0 {
		c.SessionTTL = 30 * 24 * time.Hour
	}
	if c.Password == (PasswordParams{}) {
		c.Password = DefaultPasswordParams()
	}
	if c.MaxHashing <= 0 {
		c.MaxHashing = 4
	}
	if c.MaxEmailFailures <= 0 {
		c.MaxEmailFailures = 5
	}
	if c.MaxIPFailures <= 0 {
		c.MaxIPFailures = 50
	}
	if c.FailureWindow <= 0 {
		c.FailureWindow = 15 * time.Minute
	}
	if c.Now == nil {
		c.Now = func() time.Time { return time.Now().UTC() }
	}
}

// NewService returns an account service over store, merging carts through carts.
func NewService(store Store, carts cart.Store, cfg Config, logger *slog.Logger) *Service {
	cfg.defaults()
	return &Service{store: store, carts: carts, cfg: cfg, logger: logger,
		hashing:   make(chan struct{}, cfg.MaxHashing),
		dummyHash: sync.OnceValue(func() string { return HashPassword(NewToken(), cfg.Password) })}
}

// Session returns the live session a cookie token stands for, or NotFound.
func (s *Service) Session(ctx context.Context, token string) (Session, error) {
	if !ValidToken(token) {
		return Session{}, apperr.New(apperr.NotFound, "no such session")
	}
	return s.store.Session(ctx, SessionID(token), s.cfg.Now())
}

// StartSession stores a guest session for token, a token the visitor already
// holds (its CSRF token is derived from it and must not change).
func (s *Service) StartSession(ctx context.Context, token string) (Session, error) {
	if !ValidToken(token) {
		return Session{}, apperr.New(apperr.Invalid, "malformed session token")
	}
	now := s.cfg.Now()
	sess := Session{ID: SessionID(token), CreatedAt: now, ExpiresAt: now.Add(s.cfg.SessionTTL)}
	if err := s.store.CreateSession(ctx, sess); err != nil {
		return Session{}, fmt.Errorf("start session: %w", err)
	}
	return sess, nil
}

// SetCart makes cartID the visitor's cart, unless another request changed it
// since sess was read; then it returns the session as it now is, whose cart
// the caller should use instead.
func (s *Service) SetCart(ctx context.Context, sess Session, cartID string) (Session, error) {
	var (
		ok  bool
		err error
	)
	if sess.SignedIn() {
		ok, err = s.store.SetCustomerCart(ctx, sess.CustomerID, cartID, sess.CartID)
	} else {
		ok, err = s.store.SetSessionCart(ctx, sess.ID, cartID, sess.CartID)
	}
	if err != nil {
		return Session{}, fmt.Errorf("set cart: %w", err)
	}
	if ok {
		sess.CartID = cartID
		return sess, nil
	}
	return s.store.Session(ctx, sess.ID, s.cfg.Now())
}

// SignOut ends the session of token; an unknown token is already signed out.
func (s *Service) SignOut(ctx context.Context, token string) error {
	if !ValidToken(token) {
		return nil
	}
	return s.store.DeleteSession(ctx, SessionID(token))
}

// OrderHistory lists a customer's orders, newest first.
func (s *Service) OrderHistory(ctx context.Context, customerID string, limit int) ([]order.Order, error) {
	if !ids.Valid("cus", customerID) {
		return nil, apperr.New(apperr.NotFound, "no such customer")
	}
	return s.store.CustomerOrders(ctx, customerID, limit)
}

// PruneSessions deletes expired sessions; run it now and then.
func (s *Service) PruneSessions(ctx context.Context) (int, error) {
	return s.store.DeleteExpiredSessions(ctx, s.cfg.Now())
}

// hash and verify run argon2 under the concurrency bound.
func (s *Service) hash(ctx context.Context, password string) (string, error) {
	if err := s.acquire(ctx); err != nil {
		return "", err
	}
	defer func() { <-s.hashing }()
	return HashPassword(password, s.cfg.Password), nil
}

func (s *Service) verify(ctx context.Context, password, encoded string) (bool, error) {
	if err := s.acquire(ctx); err != nil {
		return false, err
	}
	defer func() { <-s.hashing }()
	return VerifyPassword(password, encoded)
}

func (s *Service) acquire(ctx context.Context) error {
	select {
	case s.hashing <- struct{}{}:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("wait to hash a password: %w", ctx.Err())
	}
}
