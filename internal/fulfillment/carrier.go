package fulfillment

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/peakshop/peakshop/internal/domain/order"
)

// SimCarrier is the built-in shipping carrier, the counterpart of the
// payment simulator: it books shipments in memory, answers a repeated key
// with the first booking, refuses addresses in Refuse (ErrUndeliverable) and
// can be told to fail transiently. It lives here rather than in an adapter
// package because it is the workflow's test double and demo default, not a
// real integration.
type SimCarrier struct {
	// Refuse lists country codes the carrier does not serve.
	Refuse []string
	// FailEvery makes every n-th call fail transiently (0: never).
	FailEvery int64

	calls    atomic.Int64
	mu       sync.Mutex
	bookings map[string]string // key -> tracking
}

// Ship books a shipment; see Carrier.
func (c *SimCarrier) Ship(ctx context.Context, key, orderID, warehouse string, to order.Address) (string, error) {
	if err := ctx.Err(); err != nil {
		return "", err
	}
	for _, cc := range c.Refuse {
		if to.Country == cc {
			return "", fmt.Errorf("%w: %s", ErrUndeliverable, cc)
		}
	}
	if n := c.calls.Add(1); c.FailEvery > 0 && n%c.FailEvery == 0 {
		return "", fmt.Errorf("carrier: simulated outage")
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.bookings == nil {
		c.bookings = make(map[string]string)
	}
	if t, ok := c.bookings[key]; ok {
		return t, nil
	}
	sum := sha256.Sum256([]byte(key))
	t := "TRK" + hex.EncodeToString(sum[:6])
	c.bookings[key] = t
	return t, nil
}

// Bookings returns how many distinct shipments were booked.
func (c *SimCarrier) Bookings() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.bookings)
}
