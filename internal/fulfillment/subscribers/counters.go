package subscribers

import (
	"context"
	"fmt"
	"strings"

	"github.com/peakshop/peakshop/internal/domain/event"
	"github.com/peakshop/peakshop/internal/platform/synthetic"
)

// analytics counts events by type, and orders' revenue and units when
// paid, in analytics_counters. Counter names are bounded: event types and
// currencies, never ids. Synthetic orders count only as synthetic events.
func analytics(d Deps) event.Handler {
	return func(ctx context.Context, e event.Event) error {
		if synthetic.FromContext(ctx) {
			// A load rehearsal's order (baggage synthetic=true, carried from
			// the checkout in the message headers): counted apart, never in
			// the business figures.
			deltas := map[string]int64{"synthetic.events." + string(e.Type): 1}
			if _, err := d.Ledger.AddCounters(ctx, Analytics, e.ID, d.Now(), deltas); err != nil {
				return fmt.Errorf("analytics %s: %w", e.ID, err)
			}
			return nil
		}
		deltas := map[string]int64{"events." + string(e.Type): 1}
		if e.Type == event.OrderPaid {
			var od event.OrderData
			if err := e.Decode(&od); err != nil {
				return err
			}
			deltas["revenue."+strings.ToLower(od.Total.Currency)] = od.Total.Amount
			if od.Units > 0 {
				deltas["units.paid"] = int64(od.Units)
			}
		}
		if _, err := d.Ledger.AddCounters(ctx, Analytics, e.ID, d.Now(), deltas); err != nil {
			return fmt.Errorf("analytics %s: %w", e.ID, err)
		}
		return nil
	}
}

// loyalty credits a signed-in customer's points when an order ships. It
// waits for shipping rather than payment so that a cancelled order never
// needs its points taken back.
func loyalty(d Deps) event.Handler {
	return func(ctx context.Context, e event.Event) error {
		var od event.OrderData
		if err := e.Decode(&od); err != nil {
			return err
		}
		points := od.Total.Amount / 100 * d.PointsPerUnit
		if od.CustomerID == "" || points <= 0 {
			return nil // a guest: no account to credit
		}
		if _, err := d.Ledger.AddPoints(ctx, Loyalty, e.ID, d.Now(), od.CustomerID, points); err != nil {
			return fmt.Errorf("loyalty %s: %w", e.ID, err)
		}
		return nil
	}
}

// purge drops a changed product's cached copies, once per event.
func purge(d Deps) event.Handler {
	return func(ctx context.Context, e event.Event) error {
		done, err := d.Ledger.Processed(ctx, CachePurge, e.ID)
		if err != nil || done {
			return err
		}
		if err := d.Purge(ctx, e.Key); err != nil {
			return fmt.Errorf("purge %s: %w", e.Key, err)
		}
		_, err = d.Ledger.MarkProcessed(ctx, CachePurge, e.ID, d.Now())
		return err
	}
}
