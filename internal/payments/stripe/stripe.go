// Package stripe is the payment.Gateway on Stripe's PaymentIntents API,
// through the official client (stripe-go v82). Every call carries an
// idempotency key derived from the caller's (order id + step), runs under a
// deadline, and passes through a circuit breaker (sony/gobreaker) that
// stops calling a failing Stripe for a while instead of piling up timeouts;
// declines are answers, not failures, and never trip it. An authorization
// that will not be captured (a decline at capture, 3-D Secure asked for, a
// crash between authorize and capture found by Lookup) is voided, so no
// hold lingers on the shopper's card. A key Stripe keeps answering with a
// replayed 5xx is left for a derived one only once Stripe's records show
// the work undone (replay.go). Webhooks (webhook.go) verifies Stripe's
// signed notifications for the API's webhook endpoint.
//
// The client's own network retries are off: the caller (the checkout, the
// fulfillment workflow's steps) already retries with the same key, and two
// retry loops stacked multiply the wait.
package stripe

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/sony/gobreaker/v2"
	stripeapi "github.com/stripe/stripe-go/v82"

	"github.com/peakshop/peakshop/internal/domain/payment"
)

var _ payment.Gateway = (*Gateway)(nil)

// Config configures a Gateway.
type Config struct {
	// Key is the secret API key (sk_...). It is never logged.
	Key string
	// URL overrides the API's base URL (stripe-mock in tests).
	URL string
	// Timeout bounds each call (default 10s).
	Timeout time.Duration
	// BreakerFailures is how many consecutive failures open the breaker
	// (default 5); BreakerCooldown how long it stays open (default 30s).
	BreakerFailures uint32
	BreakerCooldown time.Duration
	Logger          *slog.Logger
}

// Gateway charges, looks up and refunds through Stripe.
type Gateway struct {
	api     *stripeapi.Client
	breaker *gobreaker.CircuitBreaker[any]
	timeout time.Duration
	logger  *slog.Logger
}

// New builds a gateway; it makes no call until asked.
func New(cfg Config) (*Gateway, error) {
	if cfg.Key == "" {
		return nil, errors.New("stripe: no API key")
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 10 * time.Second
	}
	if cfg.BreakerFailures == 0 {
		cfg.BreakerFailures = 5
	}
	if cfg.BreakerCooldown <= 0 {
		cfg.BreakerCooldown = 30 * time.Second
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	noRetries := int64(0)
	bc := &stripeapi.BackendConfig{HTTPClient: &http.Client{Timeout: cfg.Timeout}, MaxNetworkRetries: &noRetries,
		LeveledLogger: &stripeapi.LeveledLogger{Level: stripeapi.LevelNull}}
	if cfg.URL != "" {
		bc.URL = stripeapi.String(cfg.URL)
	}
	backends := &stripeapi.Backends{API: stripeapi.GetBackendWithConfig(stripeapi.APIBackend, bc),
		Connect: stripeapi.GetBackendWithConfig(stripeapi.ConnectBackend, bc), Uploads: stripeapi.GetBackendWithConfig(stripeapi.UploadsBackend, bc)}
	g := &Gateway{api: stripeapi.NewClient(cfg.Key, stripeapi.WithBackends(backends)), timeout: cfg.Timeout, logger: cfg.Logger}
	g.breaker = gobreaker.NewCircuitBreaker[any](gobreaker.Settings{
		Name: "stripe", Timeout: cfg.BreakerCooldown,
		ReadyToTrip: func(c gobreaker.Counts) bool { return c.ConsecutiveFailures >= cfg.BreakerFailures },
		// A decline or a refused request is Stripe working: only outages count.
		IsSuccessful: func(err error) bool { return err == nil || !errors.Is(err, payment.ErrUnavailable) },
		OnStateChange: func(_ string, from, to gobreaker.State) {
			g.logger.Warn("stripe circuit breaker", "from", from.String(), "to", to.String())
		},
	})
	return g, nil
}

// call runs fn through the breaker with the gateway's timeout on its
// context; an open breaker is an outage to callers.
func (g *Gateway) call(ctx context.Context, fn func(ctx context.Context) error) error {
	_, err := g.breaker.Execute(func() (any, error) {
		ctx, cancel := context.WithTimeout(ctx, g.timeout)
		defer cancel()
		return nil, fn(ctx)
	})
	if errors.Is(err, gobreaker.ErrOpenState) || errors.Is(err, gobreaker.ErrTooManyRequests) {
		return fmt.Errorf("%w: stripe: %w", payment.ErrUnavailable, err)
	}
	return err
}

// classify turns a Stripe error into the port's vocabulary: card errors are
// declines, and so is a payment method Stripe does not know (the shopper's
// token, not our bug); other invalid requests and idempotency errors are
// bugs (returned as they are, and no outage to the breaker); the rest
// (network, rate limits, 409 "a request with this key is in flight",
// 5xx, anything unrecognised) is an unknown outcome.
func classify(op string, err error) error {
	var se *stripeapi.Error
	if errors.As(err, &se) {
		transient := se.HTTPStatusCode >= 500 || se.HTTPStatusCode == http.StatusTooManyRequests || se.HTTPStatusCode == http.StatusConflict
		switch {
		case se.Type == stripeapi.ErrorTypeCard:
			code := string(se.DeclineCode)
			if code == "" {
				code = string(se.Code)
			}
			if code == "" {
				code = "card_declined"
			}
			return &payment.DeclinedError{Code: code, Message: "Your card was declined."}
		case se.Type == stripeapi.ErrorTypeInvalidRequest && !transient && se.Param == "payment_method":
			return &payment.DeclinedError{Code: "invalid_token", Message: "Your payment details could not be used. Please check them and try again."}
		case (se.Type == stripeapi.ErrorTypeInvalidRequest || se.Type == stripeapi.ErrorTypeIdempotency) && !transient:
			return fmt.Errorf("stripe: %s: %w", op, err)
		}
	}
	return fmt.Errorf("%w: stripe: %s: %w", payment.ErrUnavailable, op, err)
}
