package account

import (
	"context"
	"fmt"

	"github.com/peakshop/peakshop/internal/domain/apperr"
	"github.com/peakshop/peakshop/internal/platform/ids"
)

// SignUp opens an account and signs it in, taking over the guest's cart. It
// returns the new session's token for the cookie.
func (s *Service) SignUp(ctx context.Context, req SignUp, guest Session) (string, Session, error) {
	req.Normalize()
	if err := req.Validate(); err != nil {
		return "", Session{}, err
	}
	hash, err := s.hash(ctx, req.Password)
	if err != nil {
		return "", Session{}, err
	}
	now := s.cfg.Now()
	c := Customer{ID: ids.New("cus", now), Email: req.Email, Name: req.Name, CreatedAt: now}
	if err := s.store.CreateCustomer(ctx, c, hash); err != nil {
		if apperr.Is(err, apperr.Conflict) {
			return "", Session{}, &apperr.Error{Kind: apperr.Conflict, Message: "an account with this e-mail address exists",
				Fields: []apperr.FieldError{{Field: "email", Reason: "already has an account; sign in instead"}}, Err: err}
		}
		return "", Session{}, fmt.Errorf("sign up: %w", err)
	}
	return s.establish(ctx, c, guest)
}

// SignIn checks credentials under the throttle and, when they are right,
// replaces the guest session with a signed-in one whose cart holds both the
// account's and the guest's lines. Wrong credentials are ErrBadCredentials
// and a throttled attempt ErrTooManyAttempts, whatever the password.
func (s *Service) SignIn(ctx context.Context, cr Credentials, guest Session) (string, Session, error) {
	email := NormalizeEmail(cr.Email)
	var errs []apperr.FieldError
	if email == "" {
		errs = append(errs, apperr.FieldError{Field: "email", Reason: "is required"})
	}
	if cr.Password == "" {
		errs = append(errs, apperr.FieldError{Field: "password", Reason: "is required"})
	}
	if err := apperr.InvalidFields(errs); err != nil {
		return "", Session{}, err
	}
	subjects := []string{"email:" + email}
	if cr.IP != "" {
		subjects = append(subjects, "ip:"+cr.IP)
	}
	if err := s.throttled(ctx, subjects); err != nil {
		return "", Session{}, err
	}
	c, hash, err := s.customerFor(ctx, email)
	if err != nil {
		return "", Session{}, err
	}
	ok := false
	if len(cr.Password) <= MaxPasswordLen {
		if hash == "" {
			hash = s.dummyHash()
		}
		if ok, err = s.verify(ctx, cr.Password, hash); err != nil {
			return "", Session{}, fmt.Errorf("verify password: %w", err)
		}
	}
	if !ok || c.ID == "" {
		if err := s.recordFailure(ctx, subjects); err != nil {
			return "", Session{}, err
		}
		return "", Session{}, ErrBadCredentials
	}
	if err := s.store.ClearSignInFailures(ctx, subjects[0]); err != nil {
		return "", Session{}, fmt.Errorf("clear sign-in failures: %w", err)
	}
	return s.establish(ctx, c, guest)
}

// customerFor looks the e-mail up; an unknown address is no error here, so
// that it costs the same hash as a known one.
func (s *Service) customerFor(ctx context.Context, email string) (Customer, string, error) {
	c, hash, err := s.store.CustomerByEmail(ctx, email)
	if apperr.Is(err, apperr.NotFound) {
		return Customer{}, "", nil
	}
	if err != nil {
		return Customer{}, "", fmt.Errorf("sign in: %w", err)
	}
	return c, hash, nil
}

// establish starts a signed-in session for c, merging the guest's cart into
// the account's first, and ends the guest session.
func (s *Service) establish(ctx context.Context, c Customer, guest Session) (string, Session, error) {
	cartID, err := s.mergeCarts(ctx, c, guest.CartID)
	if err != nil {
		return "", Session{}, err
	}
	token := NewToken()
	now := s.cfg.Now()
	sess := Session{ID: SessionID(token), CustomerID: c.ID, Email: c.Email, Name: c.Name, CartID: cartID,
		CreatedAt: now, ExpiresAt: now.Add(s.cfg.SessionTTL)}
	if err := s.store.CreateSession(ctx, sess); err != nil {
		return "", Session{}, fmt.Errorf("create session: %w", err)
	}
	if guest.ID != "" {
		if err := s.store.DeleteSession(ctx, guest.ID); err != nil {
			// The new session works regardless; the old one just lingers
			// until it expires.
			s.logger.WarnContext(ctx, "delete guest session after sign-in", "err", err)
		}
	}
	return token, sess, nil
}

func (s *Service) throttled(ctx context.Context, subjects []string) error {
	since := s.cfg.Now().Add(-s.cfg.FailureWindow)
	for i, sub := range subjects {
		n, err := s.store.SignInFailures(ctx, sub, since)
		if err != nil {
			return fmt.Errorf("read sign-in failures: %w", err)
		}
		limit := s.cfg.MaxEmailFailures
		if i > 0 {
			limit = s.cfg.MaxIPFailures
		}
		if n >= limit {
			return ErrTooManyAttempts
		}
	}
	return nil
}

func (s *Service) recordFailure(ctx context.Context, subjects []string) error {
	now := s.cfg.Now()
	for _, sub := range subjects {
		if _, err := s.store.RecordSignInFailure(ctx, sub, now, now.Add(-s.cfg.FailureWindow)); err != nil {
			return fmt.Errorf("record sign-in failure: %w", err)
		}
	}
	return nil
}
