package order

import (
	"context"
	"time"

	"github.com/peakshop/peakshop/internal/domain/apperr"
	"github.com/peakshop/peakshop/internal/domain/payment"
)

// PaymentEvent is a provider's notification as an order's timeline keeps it
// (step "payment_event").
type PaymentEvent struct {
	Provider  string
	EventID   string
	OrderID   string
	Type      string
	PaymentID string
	At        time.Time
}

// EventOutcome says what RecordPaymentEvent did with a notification.
type EventOutcome string

// Outcomes of RecordPaymentEvent.
const (
	EventRecorded  EventOutcome = "recorded"  // new: on the order's timeline now
	EventDuplicate EventOutcome = "duplicate" // this event id was recorded before
	EventIgnored   EventOutcome = "ignored"   // not a kind the shop handles, or not one of its orders
)

// maxEventField bounds the ids a notification may carry: they are the
// provider's, signed, but a column is no place for a megabyte.
const maxEventField = 255

// RecordPaymentEvent notes a verified provider notification on its order's
// timeline, once per event id however often or concurrently it is
// delivered.
//
// A notification is evidence, never a command: it changes no order status
// and moves no money. The shop's own calls (checkout, the fulfillment
// workflow, recovery) own an order's state, because they hold the
// idempotency keys that make each charge, void and refund happen once. So a
// late, replayed or out-of-order webhook (a "succeeded" after the order was
// cancelled, a "refunded" for a refund the workflow made) cannot refund
// twice or reopen a terminal order; an order left pending by a crash is
// settled by recovery asking the provider (Lookup), which a "succeeded"
// webhook would only duplicate. What it adds is the provider's view on the
// timeline, where an operator sees a refund made in the provider's
// dashboard or a capture the shop never heard back about.
func (s *Service) RecordPaymentEvent(ctx context.Context, provider string, e payment.Event) (EventOutcome, error) {
	if e.Kind == "" || e.OrderID == "" || e.ID == "" {
		return EventIgnored, nil
	}
	for _, f := range []string{provider, e.ID, e.OrderID, e.Type, e.PaymentID} {
		if len(f) > maxEventField {
			return EventIgnored, nil
		}
	}
	fresh, err := s.store.RecordPaymentEvent(ctx, PaymentEvent{Provider: provider, EventID: e.ID, OrderID: e.OrderID,
		Type: e.Type, PaymentID: e.PaymentID, At: s.now()})
	switch {
	case apperr.Is(err, apperr.NotFound):
		// An order of another shop on the same provider account, or one
		// this database never had: acknowledged, or the provider retries
		// for days.
		return EventIgnored, nil
	case err != nil:
		return "", err
	case !fresh:
		return EventDuplicate, nil
	}
	return EventRecorded, nil
}
