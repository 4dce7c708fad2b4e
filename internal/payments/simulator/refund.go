package simulator

import (
	"context"
	"fmt"

	"github.com/peakshop/peakshop/internal/domain/payment"
)

// Refund returns a captured charge in full. The same idempotency key refunds
// once however often it is repeated; a second key for a charge already
// refunded gets ErrAlreadyRefunded, since only full refunds exist. The
// failure knob applies, before anything is refunded.
func (s *Simulator) Refund(ctx context.Context, chargeID, idempotencyKey string) error {
	if idempotencyKey == "" {
		return fmt.Errorf("%w: idempotency key required", ErrInvalidRequest)
	}
	if err := s.wait(ctx); err != nil {
		s.failed.Add(1)
		return err
	}
	if s.roll().fail {
		s.failed.Add(1)
		return fmt.Errorf("%w: simulated outage", payment.ErrUnavailable)
	}
	if s.ledger != nil {
		return s.refundDurable(ctx, chargeID, idempotencyKey)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if prev, ok := s.refunds[idempotencyKey]; ok {
		if prev != chargeID {
			return fmt.Errorf("%w: refund key %q was used for charge %s", ErrInvalidRequest, idempotencyKey, prev)
		}
		return nil
	}
	c, ok := s.byID[chargeID]
	if !ok {
		return fmt.Errorf("%w: %s", ErrUnknownCharge, chargeID)
	}
	if c.refunded {
		return fmt.Errorf("%w: %s", ErrAlreadyRefunded, chargeID)
	}
	c.refunded = true
	s.refunds[idempotencyKey] = chargeID
	s.refunded.Add(1)
	return nil
}
