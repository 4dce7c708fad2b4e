// Package subscribers owns what the shop does when an order event arrives,
// apart from fulfilment itself: order e-mails, analytics counters, loyalty
// points and cache purges. Each is a separate durable subscriber (its own
// JetStream consumer, goroutines and dead letters), so a slow or failing one
// delays nobody else, and each is idempotent through the processed-event
// records: a redelivered event has no second effect.
//
// The package consumes ports only (Ledger, Orders, Mailer, Purge); the
// composition root binds them to the store, the mailer and the caches.
package subscribers

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/peakshop/peakshop/internal/domain/event"
	"github.com/peakshop/peakshop/internal/domain/order"
	"github.com/peakshop/peakshop/internal/messaging/mailer"
)

// Consumer names: durable consumer names in JetStream and the consumer
// column of processed_events. Renaming one starts it over from the first
// retained event, so they are fixed here.
const (
	Notifications = "notifications"
	Analytics     = "analytics"
	Loyalty       = "loyalty"
	CachePurge    = "cache-purge"
)

// Ledger records handled events, alone or with the effect they caused, in
// one transaction. Each method reports false for an event handled before.
type Ledger interface {
	Processed(ctx context.Context, consumer, eventID string) (bool, error)
	MarkProcessed(ctx context.Context, consumer, eventID string, at time.Time) (bool, error)
	AddCounters(ctx context.Context, consumer, eventID string, at time.Time, deltas map[string]int64) (bool, error)
	AddPoints(ctx context.Context, consumer, eventID string, at time.Time, customerID string, points int64) (bool, error)
}

// Orders reads an order, for what events deliberately do not carry (the
// shopper's e-mail address and name).
type Orders interface {
	Order(ctx context.Context, id string) (order.Order, error)
}

// Mailer delivers one e-mail; delivering the same message id twice must be
// harmless (see mailer.Dir) or at least recognisable (mailer.SMTP).
type Mailer interface {
	Send(ctx context.Context, m mailer.Message) error
}

// Purge drops cached copies of a product (API documents, pages, the edge).
type Purge func(ctx context.Context, productID string) error

// Deps is what the subscribers need. A nil Mailer or Purge leaves that
// subscriber out.
type Deps struct {
	Ledger Ledger
	Orders Orders
	Mailer Mailer
	// From is the notifications' sender address.
	From  string
	Purge Purge
	// PointsPerUnit is the loyalty points per major currency unit of a
	// shipped order (default 1).
	PointsPerUnit int64
	Logger        *slog.Logger
	Now           func() time.Time
}

// Subscriber is one durable subscriber: its consumer name, the events it
// wants and its handler.
type Subscriber struct {
	Name    string
	Types   []event.Type
	Handler event.Handler
}

// All returns the shop's subscribers.
func All(d Deps) ([]Subscriber, error) {
	if d.Ledger == nil {
		return nil, fmt.Errorf("subscribers: Deps.Ledger is nil")
	}
	if d.Logger == nil {
		d.Logger = slog.New(slog.DiscardHandler)
	}
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.PointsPerUnit <= 0 {
		d.PointsPerUnit = 1
	}
	subs := []Subscriber{
		{Name: Analytics, Types: event.Types(), Handler: analytics(d)},
		{Name: Loyalty, Types: []event.Type{event.OrderShipped}, Handler: loyalty(d)},
	}
	if d.Mailer != nil {
		if d.Orders == nil {
			return nil, fmt.Errorf("subscribers: notifications need Deps.Orders")
		}
		n, err := newNotifier(d)
		if err != nil {
			return nil, err
		}
		subs = append(subs, Subscriber{Name: Notifications, Types: notifiedTypes(), Handler: n.handle})
	}
	if d.Purge != nil {
		subs = append(subs, Subscriber{Name: CachePurge, Types: []event.Type{event.ProductChanged}, Handler: purge(d)})
	}
	return subs, nil
}
