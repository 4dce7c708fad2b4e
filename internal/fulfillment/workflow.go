package fulfillment

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"time"

	"github.com/dbos-inc/dbos-transact-golang/dbos"

	"github.com/peakshop/peakshop/internal/domain/apperr"
	"github.com/peakshop/peakshop/internal/domain/order"
	"github.com/peakshop/peakshop/internal/domain/payment"
	"github.com/peakshop/peakshop/internal/platform/msgtrace"
	"github.com/peakshop/peakshop/internal/storage/sqlstore"
)

// Input is a workflow's argument. Queued orders are charged by the
// workflow; the others were paid during checkout.
type Input struct {
	OrderID string `json:"order_id"`
	Queued  bool   `json:"queued"`
	// Trace is the checkout's trace context and synthetic marker in
	// msgtrace's stored form ("" for none). Every step runs under it, so
	// the events the workflow records (order.paid of a queued order,
	// order.shipped) continue the checkout's trace and a load rehearsal's
	// orders stay out of the business figures to the end.
	Trace string `json:"trace,omitempty"`
}

// traceKey holds Input.Trace on the workflow's context for runStep.
type traceKey struct{}

// Outcome is the terminal state the workflow left the order in.
type Outcome struct {
	Status order.Status `json:"status"`
	Reason string       `json:"reason,omitempty"`
}

// ErrUndeliverable is a carrier's definite "no": retrying cannot help, so
// the order is cancelled and refunded at once.
var ErrUndeliverable = errors.New("fulfillment: undeliverable")

// fulfil is the workflow: pay (queued orders only; authorize and capture are
// one step, as they cost nothing apart) -> allocate -> ship -> notify.
func (e *Engine) fulfil(ctx dbos.Context, in Input) (Outcome, error) {
	id := in.OrderID
	if in.Trace != "" {
		ctx = dbos.WithValue(ctx, traceKey{}, in.Trace)
	}
	if in.Queued {
		paid, err := runStep(ctx, e, "pay", func(c context.Context) (Outcome, error) { return e.pay(c, id) })
		if err != nil {
			paid, err = runStep(ctx, e, "void", func(c context.Context) (Outcome, error) {
				return e.void(c, id, "payment provider unavailable")
			})
			if err != nil {
				return Outcome{}, err
			}
		}
		if paid.Status != order.Paid {
			return paid, nil
		}
	}
	wh, err := runStep(ctx, e, "allocate", func(c context.Context) (string, error) {
		wh := e.warehouse(id)
		return wh, e.store.Allocate(c, id, wh, time.Now())
	})
	if err != nil {
		return e.compensate(ctx, id, "allocation failed", err)
	}
	if _, err = runStep(ctx, e, "ship", func(c context.Context) (string, error) { return e.ship(c, id, wh) }); err != nil {
		return e.compensate(ctx, id, "shipping failed", err)
	}
	// The order is shipped: a failure here is retried (resume), never undone.
	if _, err = runStep(ctx, e, "notify", func(c context.Context) (bool, error) {
		return true, e.store.MarkNotified(c, id, time.Now())
	}); err != nil {
		return Outcome{}, fmt.Errorf("notify: %w", err)
	}
	return Outcome{Status: order.Shipped}, nil
}

// runStep runs fn as a DBOS step with the engine's retry policy. Conflicts
// (the order was settled elsewhere), bad input and undeliverable addresses
// are not retried.
func runStep[T any](ctx dbos.Context, e *Engine, name string, fn func(context.Context) (T, error)) (T, error) {
	return dbos.RunAsStep(ctx, func(c context.Context) (T, error) {
		if t, _ := c.Value(traceKey{}).(string); t != "" {
			c = msgtrace.Propagator.Extract(c, msgtrace.Parse(t))
		}
		c, cancel := context.WithTimeout(c, e.cfg.StepTimeout)
		defer cancel()
		return fn(c)
	}, dbos.WithStepName(name), dbos.WithStepMaxRetries(e.cfg.Retries), dbos.WithStepBaseInterval(200*time.Millisecond),
		dbos.WithStepMaxInterval(10*time.Second), dbos.WithStepRetryPredicate(retryable))
}

func retryable(err error) bool {
	return !errors.Is(err, ErrUndeliverable) && !apperr.Is(err, apperr.Conflict) &&
		!apperr.Is(err, apperr.Invalid) && !apperr.Is(err, apperr.NotFound)
}

// pay charges a queued order with the key <order id>:charge, so a step
// re-run after a crash gets the first charge back instead of a second one.
func (e *Engine) pay(ctx context.Context, id string) (Outcome, error) {
	o, err := e.store.Order(ctx, id)
	if err != nil {
		return Outcome{}, err
	}
	if o.Status != order.PaymentQueued {
		return settledOutcome(o), nil // settled by an earlier run of this step
	}
	tok, err := e.store.PaymentToken(ctx, id)
	if err != nil {
		return Outcome{}, err
	}
	r, err := e.gateway.Charge(ctx, payment.ChargeRequest{IdempotencyKey: order.ChargeKey(id), OrderID: id, Amount: o.Total, Token: tok})
	var declined *payment.DeclinedError
	switch {
	case errors.As(err, &declined):
		reason := "payment declined: " + declined.Code
		return Outcome{Status: order.Cancelled, Reason: reason},
			e.settle(ctx, order.Settlement{OrderID: id, Status: order.Cancelled, Reason: reason, KeepKey: true, Now: time.Now()})
	case err != nil:
		return Outcome{}, err
	}
	st := order.Settlement{OrderID: id, Status: order.Paid, KeepKey: true, Now: time.Now(),
		Payment: &order.PaymentRecord{Provider: e.cfg.Provider, ChargeID: r.ChargeID, Amount: r.Amount, IdempotencyKey: order.ChargeKey(id)}}
	return Outcome{Status: order.Paid}, e.settle(ctx, st)
}

// settle is FinishCheckout where "already settled" means an earlier run of
// the step got there first.
func (e *Engine) settle(ctx context.Context, st order.Settlement) error {
	if err := e.store.FinishCheckout(ctx, st); err != nil && !apperr.Is(err, apperr.Conflict) {
		return err
	}
	return nil
}

// void ends a queued order whose charge kept failing: a charge the provider
// did take after all is refunded, then the order is cancelled and its stock
// released.
func (e *Engine) void(ctx context.Context, id, reason string) (Outcome, error) {
	if r, found, err := e.gateway.Lookup(ctx, order.ChargeKey(id)); err != nil {
		return Outcome{}, err
	} else if found {
		if err := e.gateway.Refund(ctx, r.ChargeID, id+":refund"); err != nil {
			return Outcome{}, err
		}
	}
	return Outcome{Status: order.Cancelled, Reason: reason},
		e.settle(ctx, order.Settlement{OrderID: id, Status: order.Cancelled, Reason: reason, KeepKey: true, Now: time.Now()})
}

func (e *Engine) ship(ctx context.Context, id, wh string) (string, error) {
	o, err := e.store.Order(ctx, id)
	if err != nil {
		return "", err
	}
	if o.Status == order.Shipped {
		return "", nil
	}
	tracking, err := e.carrier.Ship(ctx, id+":ship", id, wh, o.ShippingAddress)
	if err != nil {
		return "", err
	}
	return tracking, e.store.MarkShipped(ctx, id, tracking, time.Now())
}

// compensate undoes a paid order that cannot be fulfilled: refund with the
// key <order id>:refund, stock back, order cancelled with the reason.
func (e *Engine) compensate(ctx dbos.Context, id, what string, cause error) (Outcome, error) {
	reason := what + ": " + publicReason(cause)
	e.logger.Warn("fulfillment failed; compensating", "order_id", id, "reason", reason, "err", cause)
	return runStep(ctx, e, "compensate", func(c context.Context) (Outcome, error) {
		var refund *sqlstore.Refund
		chargeID, amount, err := e.store.Charge(c, id)
		switch {
		case err == nil:
			key := id + ":refund"
			if err := e.gateway.Refund(c, chargeID, key); err != nil {
				return Outcome{}, err
			}
			refund = &sqlstore.Refund{IdempotencyKey: key, Amount: amount}
		case !apperr.Is(err, apperr.NotFound):
			return Outcome{}, err
		}
		if err := e.store.CancelPaid(c, id, reason, refund, time.Now()); err != nil {
			return Outcome{}, err
		}
		return Outcome{Status: order.Cancelled, Reason: reason}, nil
	})
}

func publicReason(err error) string {
	switch {
	case errors.Is(err, ErrUndeliverable):
		return "no carrier delivers to the address"
	case apperr.Is(err, apperr.Conflict):
		return "the order changed meanwhile"
	}
	return "retries exhausted"
}

func settledOutcome(o order.Order) Outcome {
	switch o.Status {
	case order.Paid, order.Allocated, order.Shipped:
		return Outcome{Status: order.Paid}
	}
	return Outcome{Status: o.Status, Reason: o.Reason}
}

// warehouse picks the warehouse for an order, the same on every run.
func (e *Engine) warehouse(id string) string {
	h := fnv.New32a()
	h.Write([]byte(id))
	return e.cfg.Warehouses[h.Sum32()%uint32(len(e.cfg.Warehouses))]
}
