package payment

import (
	"context"
	"errors"
)

// EventKind is what a provider's notification says happened to a payment,
// in the shop's words; the provider's own name stays in Event.Type.
type EventKind string

// The notifications the shop records. Any other is acknowledged and ignored.
const (
	EventSucceeded EventKind = "succeeded" // the payment was captured
	EventFailed    EventKind = "failed"    // an attempt to pay failed
	EventCanceled  EventKind = "canceled"  // the authorization was voided
	EventRefunded  EventKind = "refunded"  // money went back to the card
)

// Event is a provider's notification whose signature was verified.
type Event struct {
	// ID is the provider's event id: a redelivery carries the same one.
	ID string
	// Type is the provider's name for it (payment_intent.succeeded).
	Type string
	// Kind is empty for notifications the shop does not handle.
	Kind EventKind
	// OrderID comes from the payment's metadata; empty when the payment
	// is not one the shop made.
	OrderID string
	// PaymentID is the provider's id of the payment (the receipt's ChargeID).
	PaymentID string
}

// ErrBadSignature means a notification was not signed with the shared
// secret within the allowed clock skew, or is not an event at all: it must
// be refused and have no effect.
var ErrBadSignature = errors.New("payment event: invalid signature or payload")

// EventVerifier authenticates a provider's webhook delivery and reads the
// event in it.
type EventVerifier interface {
	// Provider names the provider, as payment records do ("stripe").
	Provider() string
	// VerifyEvent checks signature (the provider's signature header) over
	// payload and returns the event. It returns an error wrapping
	// ErrBadSignature for a forged, stale or malformed delivery, and one
	// wrapping ErrUnavailable when reading the event needed the provider
	// and it did not answer (the provider will deliver again).
	VerifyEvent(ctx context.Context, payload []byte, signature string) (Event, error)
}
