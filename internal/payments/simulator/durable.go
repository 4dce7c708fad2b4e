package simulator

import (
	"context"
	"fmt"
	"time"

	"github.com/peakshop/peakshop/internal/domain/payment"
)

// chargeDurable is Charge on a ledger. No state is kept in flight: every
// racing call, in this process or another, rolls its own dice and tries to
// insert the key; the primary key lets one win and the others replay the
// winner's answer. So a key charges once however the calls are spread over
// processes, and a process killed before its insert leaves the key free.
func (s *Simulator) chargeDurable(ctx context.Context, req payment.ChargeRequest) (payment.Receipt, error) {
	// A replay answers at once, as the in-memory mode answers a settled key.
	if prev, found, err := findCharge(ctx, s.ledger.db, req.IdempotencyKey); err != nil {
		s.failed.Add(1)
		return payment.Receipt{}, err
	} else if found {
		return s.replay(prev, req)
	}
	if err := s.wait(ctx); err != nil {
		s.failed.Add(1)
		return payment.Receipt{}, err
	}
	d := s.roll()
	if d.fail {
		s.failed.Add(1)
		return payment.Receipt{}, fmt.Errorf("%w: simulated outage", payment.ErrUnavailable)
	}
	r := record{key: req.IdempotencyKey, orderID: req.OrderID, token: req.Token, amount: req.Amount}
	switch de := declineFor(req.Token); {
	case de != nil:
		r.declineCode = de.Code
	case d.decline:
		r.declineCode = codeCardDeclined
	default:
		r.chargeID = d.chargeID
	}
	won, stored, err := s.ledger.insertCharge(ctx, r, time.Now())
	if err != nil {
		s.failed.Add(1)
		return payment.Receipt{}, err
	}
	if !won {
		return s.replay(stored, req)
	}
	if r.declineCode != "" {
		s.declined.Add(1)
	} else {
		s.charged.Add(1)
	}
	return r.answer()
}

// replay answers a call with the first answer given for its key.
func (s *Simulator) replay(prev record, req payment.ChargeRequest) (payment.Receipt, error) {
	if prev.amount != req.Amount || prev.token != req.Token {
		return payment.Receipt{}, fmt.Errorf("%w: idempotency key %q reused with different parameters", ErrInvalidRequest, req.IdempotencyKey)
	}
	s.replayed.Add(1)
	return prev.answer()
}

func (s *Simulator) lookupDurable(ctx context.Context, key string) (payment.Receipt, bool, error) {
	if err := s.wait(ctx); err != nil {
		return payment.Receipt{}, false, err
	}
	r, found, err := findCharge(ctx, s.ledger.db, key)
	if err != nil || !found || r.declineCode != "" {
		return payment.Receipt{}, false, err
	}
	return payment.Receipt{ChargeID: r.chargeID, Amount: r.amount}, true, nil
}

func (s *Simulator) refundDurable(ctx context.Context, chargeID, key string) error {
	refunded, err := s.ledger.refund(ctx, chargeID, key, time.Now())
	if refunded {
		s.refunded.Add(1)
	}
	return err
}
