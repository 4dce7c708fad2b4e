package sqlstore

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/peakshop/peakshop/internal/domain/event"
	"github.com/peakshop/peakshop/internal/domain/money"
	"github.com/peakshop/peakshop/internal/domain/order"
)

// lowStock is a SKU whose stock this checkout took below the low level.
type lowStock struct {
	sku  string
	left int
}

// placedEvents are what BeginCheckout adds to the outbox with the order:
// order.placed, and inventory.low for SKUs that crossed the level.
func placedEvents(b order.Begin, o *order.Order, low []lowStock) ([]event.Event, error) {
	units := 0
	for _, l := range o.Lines {
		units += l.Quantity
	}
	placed, err := event.New(event.OrderEventID(o.ID, event.OrderPlaced), event.OrderPlaced, o.ID, b.Now,
		event.OrderData{OrderID: o.ID, CustomerID: o.CustomerID, Total: o.Total, Units: units, Queued: b.Queued})
	if err != nil {
		return nil, err
	}
	events := []event.Event{placed}
	for _, l := range low {
		e, err := event.New(o.ID+":low:"+l.sku, event.InventoryLow, l.sku, b.Now, map[string]any{"sku": l.sku, "available": l.left})
		if err != nil {
			return nil, err
		}
		events = append(events, e)
	}
	return events, nil
}

// queuedCheckout keeps a queued order's card token for the workflow and
// records the key's final answer, 202, in the order's transaction.
func queuedCheckout(ctx context.Context, r runner, b order.Begin, o *order.Order) error {
	if !b.Queued {
		return nil
	}
	if _, err := r.exec(ctx, sqlQueueToken, o.ID, b.PaymentToken); err != nil {
		return fmt.Errorf("queue payment token: %w", err)
	}
	if b.Accepted == nil {
		return fmt.Errorf("queued checkout needs Begin.Accepted")
	}
	res, err := b.Accepted(*o)
	if err != nil {
		return fmt.Errorf("render accepted result: %w", err)
	}
	if _, err := r.exec(ctx, sqlKeyAccepted, b.IdempotencyKey, res); err != nil {
		return fmt.Errorf("record accepted result: %w", err)
	}
	return nil
}

// settled is what FinishCheckout's UPDATE returns about the order, so its
// event needs no second read.
type settled struct {
	total    money.Money
	customer sql.NullString
}

// settledEvents records order.paid or order.cancelled with the settlement,
// and forgets a queued order's card token once it is no longer needed.
// Synchronous declines and failures publish nothing: the shopper was told at
// once and the order never went further.
func settledEvents(ctx context.Context, r runner, st order.Settlement, o settled) error {
	if st.KeepKey { // a queued order: only those have a token waiting
		if _, err := r.exec(ctx, `DELETE FROM order_payment_tokens WHERE order_id = $1`, st.OrderID); err != nil {
			return fmt.Errorf("forget payment token: %w", err)
		}
	}
	e, ok, err := settledEvent(st, o)
	if err != nil || !ok {
		return err
	}
	return insertEvents(ctx, r, e)
}

// settledEvent is the event a settlement publishes, if any: order.paid or
// order.cancelled.
func settledEvent(st order.Settlement, o settled) (event.Event, bool, error) {
	var t event.Type
	switch st.Status {
	case order.Paid:
		t = event.OrderPaid
	case order.Cancelled:
		t = event.OrderCancelled
	default:
		return event.Event{}, false, nil
	}
	e, err := event.New(event.OrderEventID(st.OrderID, t), t, st.OrderID, st.Now,
		event.OrderData{OrderID: st.OrderID, CustomerID: o.customer.String, Total: o.total, Reason: st.Reason, Queued: st.KeepKey})
	return e, err == nil, err
}
