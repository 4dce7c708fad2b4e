package simulator

import (
	"context"
	"fmt"

	"github.com/peakshop/peakshop/internal/domain/money"
	"github.com/peakshop/peakshop/internal/domain/payment"
)

// charge is everything known about one idempotency key. The fields below
// done are written once, before done is closed, and only read after it.
type charge struct {
	req      payment.ChargeRequest
	done     chan struct{}
	receipt  payment.Receipt
	err      error // nil when captured, else the decline or failure
	retry    bool  // the first caller gave up (its context ended): waiters try again
	refunded bool  // guarded by Simulator.mu
}

// outcome says what became of a charge attempt.
type outcome int

const (
	captured  outcome = iota
	declined          // remembered: a replay gets the same decline
	failed            // forgotten: the next call with the key tries again
	abandoned         // forgotten, and callers waiting on it try again too
)

// Charge captures req.Amount, or answers *payment.DeclinedError, or an error
// wrapping payment.ErrUnavailable when the failure knob or ctx stops it
// before money moves. The first call with a key decides: later calls, and
// concurrent ones that wait for it, get the same receipt or decline. A key
// reused with another amount or token is a bug (ErrInvalidRequest), as at
// Stripe; a new card needs a new key.
func (s *Simulator) Charge(ctx context.Context, req payment.ChargeRequest) (payment.Receipt, error) {
	if err := checkCharge(req); err != nil {
		return payment.Receipt{}, err
	}
	if s.ledger != nil {
		return s.chargeDurable(ctx, req)
	}
	for {
		s.mu.Lock()
		c, ok := s.charges[req.IdempotencyKey]
		if !ok {
			c = &charge{req: req, done: make(chan struct{})}
			s.charges[req.IdempotencyKey] = c
			s.mu.Unlock()
			return s.settle(ctx, c)
		}
		s.mu.Unlock()
		if c.req.Amount != req.Amount || c.req.Token != req.Token {
			return payment.Receipt{}, fmt.Errorf("%w: idempotency key %q reused with different parameters", ErrInvalidRequest, req.IdempotencyKey)
		}
		select {
		case <-c.done:
		case <-ctx.Done():
			s.failed.Add(1)
			return payment.Receipt{}, fmt.Errorf("%w: %w", payment.ErrUnavailable, ctx.Err())
		}
		if c.retry {
			continue
		}
		s.replayed.Add(1)
		return c.receipt, c.err
	}
}

// Lookup finds the charge captured with an idempotency key. In memory a
// charge in flight is waited for, so the answer is never "not yet". On a
// ledger nothing is in flight: a call that has not inserted its key has
// moved no money, and one that inserts after this Lookup answered is a
// call still running, which its caller sees through.
func (s *Simulator) Lookup(ctx context.Context, idempotencyKey string) (payment.Receipt, bool, error) {
	if s.ledger != nil {
		return s.lookupDurable(ctx, idempotencyKey)
	}
	if err := s.wait(ctx); err != nil {
		return payment.Receipt{}, false, err
	}
	s.mu.Lock()
	c, ok := s.charges[idempotencyKey]
	s.mu.Unlock()
	if !ok {
		return payment.Receipt{}, false, nil
	}
	select {
	case <-c.done:
	case <-ctx.Done():
		return payment.Receipt{}, false, fmt.Errorf("%w: %w", payment.ErrUnavailable, ctx.Err())
	}
	if c.err != nil || c.retry {
		return payment.Receipt{}, false, nil
	}
	return c.receipt, true, nil
}

// settle runs the first call for a key and publishes its answer to waiters.
func (s *Simulator) settle(ctx context.Context, c *charge) (payment.Receipt, error) {
	r, out, err := s.decide(ctx, c.req)
	s.mu.Lock()
	c.receipt, c.err = r, err
	switch out {
	case captured:
		s.byID[r.ChargeID] = c
		s.charged.Add(1)
	case declined:
		s.declined.Add(1)
	case failed, abandoned:
		// No money moved, so the key is free for a retry.
		delete(s.charges, c.req.IdempotencyKey)
		c.retry = out == abandoned
		s.failed.Add(1)
	}
	s.mu.Unlock()
	close(c.done)
	return r, err
}

func (s *Simulator) decide(ctx context.Context, req payment.ChargeRequest) (payment.Receipt, outcome, error) {
	if err := s.wait(ctx); err != nil {
		return payment.Receipt{}, abandoned, err
	}
	d := s.roll()
	if d.fail {
		return payment.Receipt{}, failed, fmt.Errorf("%w: simulated outage", payment.ErrUnavailable)
	}
	if err := declineFor(req.Token); err != nil {
		return payment.Receipt{}, declined, err
	}
	if d.decline {
		return payment.Receipt{}, declined, decline(codeCardDeclined)
	}
	return payment.Receipt{ChargeID: d.chargeID, Amount: req.Amount}, captured, nil
}

func checkCharge(req payment.ChargeRequest) error {
	switch {
	case req.IdempotencyKey == "":
		return fmt.Errorf("%w: idempotency key required", ErrInvalidRequest)
	case req.Amount.Amount <= 0:
		return fmt.Errorf("%w: amount must be positive, got %d", ErrInvalidRequest, req.Amount.Amount)
	case !money.ValidCurrency(req.Amount.Currency):
		return fmt.Errorf("%w: invalid currency %q", ErrInvalidRequest, req.Amount.Currency)
	}
	return nil
}
