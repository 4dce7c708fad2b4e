// Package event owns the shop's domain events: what happened (an order was
// placed, paid, shipped or cancelled; stock ran low; a product changed), the
// envelope every event travels in, and the Publisher port that adapters
// (JetStream) implement. Events are facts in the past tense: subscribers may
// receive one more than once, so each carries an id they deduplicate on.
package event

import (
	"context"
	"encoding/json"
	"fmt"
	"time"
)

// Type names what happened; it is also the last part of the subject an event
// is published on.
type Type string

// The shop's event types.
const (
	OrderPlaced    Type = "order.placed"
	OrderPaid      Type = "order.paid"
	OrderShipped   Type = "order.shipped"
	OrderCancelled Type = "order.cancelled"
	InventoryLow   Type = "inventory.low"
	ProductChanged Type = "product.changed"
)

// Types lists every known type, for stream subjects and validation.
func Types() []Type {
	return []Type{OrderPlaced, OrderPaid, OrderShipped, OrderCancelled, InventoryLow, ProductChanged}
}

// Valid reports whether t is a known type.
func (t Type) Valid() bool {
	for _, k := range Types() {
		if k == t {
			return true
		}
	}
	return false
}

// Event is the envelope of one domain event.
type Event struct {
	// ID identifies the event for deduplication everywhere: the outbox row,
	// the JetStream message id and subscribers' processed-event records.
	ID   string `json:"id"`
	Type Type   `json:"type"`
	// Key is the entity the event is about (an order id, a SKU, a product
	// id). Subscribers that need per-entity ordering partition on it.
	Key        string          `json:"key"`
	OccurredAt time.Time       `json:"occurred_at"`
	Data       json.RawMessage `json:"data,omitempty"`
}

// OrderEventID is the id of an order lifecycle event. It is derived, not
// random, because each order is placed, paid, shipped or cancelled at most
// once: whoever records the fact twice (a retried workflow step, a replayed
// checkout) produces the same id, and every layer drops the duplicate.
func OrderEventID(orderID string, t Type) string { return orderID + ":" + string(t) }

// New builds an event with data encoded as JSON.
func New(id string, t Type, key string, at time.Time, data any) (Event, error) {
	if !t.Valid() {
		return Event{}, fmt.Errorf("event: unknown type %q", t)
	}
	e := Event{ID: id, Type: t, Key: key, OccurredAt: at.UTC()}
	if data != nil {
		b, err := json.Marshal(data)
		if err != nil {
			return Event{}, fmt.Errorf("event: encode %s data: %w", t, err)
		}
		e.Data = b
	}
	return e, nil
}

// Decode unmarshals the event's data into v.
func (e Event) Decode(v any) error {
	if err := json.Unmarshal(e.Data, v); err != nil {
		return fmt.Errorf("event: decode %s %s: %w", e.Type, e.ID, err)
	}
	return nil
}

// Publisher hands events to the message broker. Publish returns only once
// the broker has stored the event durably; publishing an id twice stores it
// once.
type Publisher interface {
	Publish(ctx context.Context, events ...Event) error
}

// Handler processes one delivered event. Returning an error asks for a
// redelivery later; after the consumer's maximum the event is dead-lettered.
type Handler func(ctx context.Context, e Event) error
