package subscribers_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/peakshop/peakshop/internal/domain/event"
	"github.com/peakshop/peakshop/internal/fulfillment/subscribers"
	"github.com/peakshop/peakshop/internal/messaging/mailer"
)

func byName(tb testing.TB, subs []subscribers.Subscriber, name string) subscribers.Subscriber {
	tb.Helper()
	for _, s := range subs {
		if s.Name == name {
			return s
		}
	}
	tb.Fatalf("no subscriber %s", name)
	return subscribers.Subscriber{}
}

// Every subscriber handles an event once however often it is delivered.
func TestRedeliveredEventsHaveNoSecondEffect(t *testing.T) {
	for engine, open := range stores() {
		t.Run(engine, func(t *testing.T) {
			ctx := context.Background()
			st := open(t)
			dir := filepath.Join(t.TempDir(), "mail")
			m := newCountingMailer(mailer.Dir{Path: dir})
			var purged []string
			subs, err := subscribers.All(subscribers.Deps{Ledger: st, Orders: orders{}, Mailer: m, From: "shop@example.com",
				Purge: func(_ context.Context, id string) error { purged = append(purged, id); return nil }})
			if err != nil {
				t.Fatal(err)
			}
			paid := orderEvent(t, "r", 1, event.OrderPaid)
			shipped := orderEvent(t, "r", 1, event.OrderShipped)
			changed := mustEvent(t, "p42:changed:1", event.ProductChanged, "42", nil)
			for range 3 {
				for _, c := range []struct {
					sub string
					e   event.Event
				}{{subscribers.Analytics, paid}, {subscribers.Analytics, shipped}, {subscribers.Loyalty, shipped},
					{subscribers.Notifications, paid}, {subscribers.Notifications, shipped}, {subscribers.CachePurge, changed}} {
					if err := byName(t, subs, c.sub).Handler(ctx, c.e); err != nil {
						t.Fatalf("%s %s: %v", c.sub, c.e.ID, err)
					}
				}
			}
			counters, err := st.Counters(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if counters["events.order.paid"] != 1 || counters["events.order.shipped"] != 1 || counters["revenue.usd"] != 2500 || counters["units.paid"] != 2 {
				t.Errorf("counters = %v", counters)
			}
			if p, _ := st.Points(ctx, "c1"); p != 25 {
				t.Errorf("loyalty points = %d, want 25", p)
			}
			if m.count(paid.ID) != 1 || m.count(shipped.ID) != 1 {
				t.Errorf("e-mails sent: %v", m.sent)
			}
			files, _ := filepath.Glob(filepath.Join(dir, "*.eml"))
			if len(files) != 2 {
				t.Errorf("mail folder holds %d messages, want 2", len(files))
			}
			if len(purged) != 1 || purged[0] != "42" {
				t.Errorf("purged %v, want [42] once", purged)
			}
		})
	}
}

// The address comes from the order, and the message is the template's.
func TestOrderEmailIsRenderedFromTheOrder(t *testing.T) {
	st := stores()["sqlite"](t)
	dir := t.TempDir()
	m := newCountingMailer(mailer.Dir{Path: dir})
	subs, err := subscribers.All(subscribers.Deps{Ledger: st, Orders: orders{}, Mailer: m, From: "shop@example.com"})
	if err != nil {
		t.Fatal(err)
	}
	for _, typ := range []event.Type{event.OrderPaid, event.OrderShipped, event.OrderCancelled} {
		e := orderEvent(t, "mail", 7, typ)
		if err := byName(t, subs, subscribers.Notifications).Handler(context.Background(), e); err != nil {
			t.Fatal(err)
		}
		msg := m.last[e.ID]
		if msg.To != "shopper+mail-o7@example.com" || !strings.Contains(msg.Subject, "mail-o7") || !strings.Contains(msg.Body, "Hello Ada") {
			t.Errorf("%s: message %+v", typ, msg)
		}
		raw, err := os.ReadFile(filepath.Join(dir, strings.ReplaceAll(e.ID, ":", "_")+".eml"))
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(raw), "Message-ID: <"+strings.ReplaceAll(e.ID, ":", "_")+"@") || !strings.Contains(string(raw), "\r\n\r\nHello Ada") {
			t.Errorf("%s: file\n%s", typ, raw)
		}
	}
	if !strings.Contains(m.last["mail-o7:order.paid"].Body, "2 x Mug (SKU-1)") {
		t.Errorf("paid body lacks the lines:\n%s", m.last["mail-o7:order.paid"].Body)
	}
}
