package subscribers_test

import (
	"context"
	"fmt"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/peakshop/peakshop/internal/domain/event"
	"github.com/peakshop/peakshop/internal/domain/money"
	"github.com/peakshop/peakshop/internal/domain/order"
	"github.com/peakshop/peakshop/internal/messaging/mailer"
	"github.com/peakshop/peakshop/internal/storage/sqlstore"
	"github.com/peakshop/peakshop/internal/storage/storetest"
)

// stores lists the ledgers tests run on: SQLite always, PostgreSQL when
// PEAKSHOP_TEST_POSTGRES is set.
func stores() map[string]func(testing.TB) *sqlstore.Store {
	s := map[string]func(testing.TB) *sqlstore.Store{"sqlite": storetest.OpenSQLite}
	if os.Getenv(storetest.PostgresEnv) != "" {
		s["postgres"] = storetest.OpenPostgres
	}
	return s
}

// only passes on this run's events and acknowledges the rest unhandled: a
// shared stream holds other runs' events too.
func only(run string, h event.Handler) event.Handler {
	return func(ctx context.Context, e event.Event) error {
		if len(e.ID) < len(run) || e.ID[:len(run)] != run {
			return nil
		}
		return h(ctx, e)
	}
}

// waitFor polls cond until it holds; the bound only stops a broken test
// from hanging, it asserts nothing about speed.
func waitFor(tb testing.TB, what string, cond func() bool) {
	tb.Helper()
	deadline := time.Now().Add(90 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			tb.Fatalf("gave up waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func mustEvent(tb testing.TB, id string, t event.Type, key string, d any) event.Event {
	tb.Helper()
	e, err := event.New(id, t, key, time.Unix(1700000000, 0), d)
	if err != nil {
		tb.Fatal(err)
	}
	return e
}

func orderEvent(tb testing.TB, run string, i int, t event.Type) event.Event {
	tb.Helper()
	id := fmt.Sprintf("%s-o%d", run, i)
	return mustEvent(tb, event.OrderEventID(id, t), t, id,
		event.OrderData{OrderID: id, CustomerID: "c1", Total: money.Money{Amount: 2500, Currency: "USD"}, Units: 2})
}

// orders is the Orders port over a map: the notifications read the address
// from here and never from the event.
type orders struct{ m map[string]order.Order }

func (o orders) Order(_ context.Context, id string) (order.Order, error) {
	if v, ok := o.m[id]; ok {
		return v, nil
	}
	return order.Order{ID: id, Email: "shopper+" + id + "@example.com", Total: money.Money{Amount: 2500, Currency: "USD"},
		ShippingAddress: order.Address{Name: "Ada"},
		Lines:           []order.Line{{SKU: "SKU-1", Name: "Mug", Quantity: 2, LineTotal: money.Money{Amount: 2500, Currency: "USD"}}}}, nil
}

// countingMailer counts sends per message id and passes them on.
type countingMailer struct {
	mu    sync.Mutex
	sent  map[string]int
	last  map[string]mailer.Message
	inner interface {
		Send(context.Context, mailer.Message) error
	}
}

func newCountingMailer(inner interface {
	Send(context.Context, mailer.Message) error
}) *countingMailer {
	return &countingMailer{sent: map[string]int{}, last: map[string]mailer.Message{}, inner: inner}
}

func (c *countingMailer) Send(ctx context.Context, m mailer.Message) error {
	if c.inner != nil {
		if err := c.inner.Send(ctx, m); err != nil {
			return err
		}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.sent[m.ID]++
	c.last[m.ID] = m
	return nil
}

func (c *countingMailer) count(id string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.sent[id]
}

func (c *countingMailer) total() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := 0
	for _, v := range c.sent {
		n += v
	}
	return n
}
