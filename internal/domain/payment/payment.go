// Package payment owns the Gateway port through which the shop charges cards,
// and the errors a gateway may answer with. Adapters (the built-in simulator,
// Stripe) live outside the domain.
package payment

import (
	"context"
	"errors"

	"github.com/peakshop/peakshop/internal/domain/money"
)

// ChargeRequest asks a gateway to authorize and capture an amount. The
// idempotency key makes a retried call return the first result instead of
// charging twice; callers derive it from the order id.
type ChargeRequest struct {
	IdempotencyKey string
	OrderID        string
	Amount         money.Money
	Token          string
}

// Receipt is a captured charge.
type Receipt struct {
	ChargeID string
	Amount   money.Money
}

// DeclinedError is a definite "no" from the card issuer: retrying with the
// same card will not help, and no money moved.
type DeclinedError struct {
	Code    string // e.g. card_declined, insufficient_funds
	Message string // safe to show the shopper
}

func (e *DeclinedError) Error() string { return "payment declined: " + e.Code }

// ErrUnavailable means the gateway could not be reached or failed. No money
// moved that the gateway will admit to; Lookup tells for sure.
var ErrUnavailable = errors.New("payment gateway unavailable")

// Gateway charges cards.
type Gateway interface {
	// Charge authorizes and captures. It returns *DeclinedError for a decline
	// and an error wrapping ErrUnavailable when the outcome is unknown.
	Charge(ctx context.Context, req ChargeRequest) (Receipt, error)
	// Lookup finds the captured charge made with an idempotency key, if any.
	// Crash recovery uses it to learn whether a charge went through.
	Lookup(ctx context.Context, idempotencyKey string) (Receipt, bool, error)
	// Refund returns a captured charge in full. Refunding twice with the same
	// idempotency key refunds once.
	Refund(ctx context.Context, chargeID, idempotencyKey string) error
}
