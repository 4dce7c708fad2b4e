package account

import (
	"context"
	"encoding/base32"
	"fmt"
	"strings"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"

	"github.com/peakshop/peakshop/internal/domain/apperr"
)

// TOTP enrolment from the browser: an administrator without a second factor
// enrols after the password, and one who passed TOTP may replace it (a new
// phone). The new secret is stored only once a code made from it proves the
// authenticator app holds it; until then the old factor (if any) stands.

// EnrolStore stores a confirmed TOTP secret.
type EnrolStore interface {
	// SetTOTPSecret makes secret the customer's second factor, with step
	// as its last used step so the confirming code cannot be used again.
	// A missing customer is apperr NotFound.
	SetTOTPSecret(ctx context.Context, customerID, secret string, step int64) error
}

// ErrEnrolNotAllowed answers an enrolment by a session that may not enrol:
// not an administrator's, or one whose account has a second factor this
// session has not passed (replacing a factor needs the old one first).
var ErrEnrolNotAllowed = apperr.New(apperr.NotFound, "no enrolment for this session")

// EnrolState returns the session's admin state if it may enrol.
func (a *Admins) EnrolState(ctx context.Context, token string) (AdminState, error) {
	if !ValidToken(token) {
		return AdminState{}, ErrEnrolNotAllowed
	}
	st, err := a.State(ctx, SessionID(token))
	if apperr.Is(err, apperr.NotFound) || err == nil && (st.Role != RoleAdmin || st.Enrolled && !st.SecondFactor) {
		return AdminState{}, ErrEnrolNotAllowed
	}
	return st, err
}

// BeginEnrolment makes a fresh secret for the administrator signed in with
// token. Nothing is stored: the page carries the secret to the confirming
// request.
func (a *Admins) BeginEnrolment(ctx context.Context, token string) (Enrolment, error) {
	st, err := a.EnrolState(ctx, token)
	if err != nil {
		return Enrolment{}, err
	}
	return NewEnrolment(a.cfg.Issuer, st.Email)
}

// EnrolmentOf rebuilds the enrolment (the otpauth:// URI) of a secret
// offered earlier, to show the same one again after a wrong code.
func (a *Admins) EnrolmentOf(email, secret string) (Enrolment, error) {
	raw, err := decodeSecret(secret)
	if err != nil {
		return Enrolment{}, err
	}
	k, err := totp.Generate(totp.GenerateOpts{Issuer: a.cfg.Issuer, AccountName: email, Period: totpPeriod,
		Digits: totpDigits, Algorithm: otp.AlgorithmSHA1, Secret: raw})
	if err != nil {
		return Enrolment{}, fmt.Errorf("totp enrolment: %w", err)
	}
	return Enrolment{Secret: k.Secret(), URI: k.URL()}, nil
}

// decodeSecret reads a base32 secret of at least 128 bits.
func decodeSecret(secret string) ([]byte, error) {
	b, err := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(strings.ToUpper(strings.TrimSpace(secret)))
	if err != nil || len(b) < 16 {
		return nil, apperr.InvalidFields([]apperr.FieldError{{Field: "secret", Reason: "secret is not one this page made; start again"}})
	}
	return b, nil
}

// ConfirmEnrolment stores secret as the administrator's second factor if
// code is its current code. Wrong codes count in the sign-in throttle
// under the account, as in VerifyTOTP. On success the session is replaced
// by a second-factor session, whose token is returned.
func (a *Admins) ConfirmEnrolment(ctx context.Context, es EnrolStore, token, secret, code string) (string, error) {
	st, err := a.EnrolState(ctx, token)
	if err != nil {
		return "", err
	}
	secret = strings.ToUpper(strings.TrimSpace(secret))
	if _, err := decodeSecret(secret); err != nil {
		return "", err
	}
	subject := []string{"totp:" + st.CustomerID}
	if err := a.svc.throttled(ctx, subject); err != nil {
		return "", err
	}
	now := a.svc.cfg.Now()
	step, ok := matchTOTP(secret, code, now)
	if !ok {
		if err := a.svc.recordFailure(ctx, subject); err != nil {
			return "", err
		}
		return "", ErrBadCode
	}
	if err := es.SetTOTPSecret(ctx, st.CustomerID, secret, step); err != nil {
		return "", fmt.Errorf("store totp secret: %w", err)
	}
	return a.verified(ctx, subject, st, token, now)
}
