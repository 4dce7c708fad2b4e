package ratelimit

import (
	"context"
	"fmt"
	"time"

	"github.com/maypok86/otter/v2"
)

// memStore keeps the counters in process: one bounded otter cache per
// rule, so a flood of spoofed addresses cannot grow memory without bound.
type memStore struct {
	counters []*otter.Cache[clientKey, *window] // by rule.idx
}

func newMemStore(rules []*rule, maxClients int) (*memStore, error) {
	m := &memStore{}
	for _, r := range rules {
		c, err := otter.New(&otter.Options[clientKey, *window]{
			MaximumSize: maxClients,
			// A counter idle for two windows and a block holds nothing.
			ExpiryCalculator: otter.ExpiryAccessing[clientKey, *window](2*r.Window + r.Block),
		})
		if err != nil {
			m.close()
			return nil, fmt.Errorf("ratelimit: rule %q: %w", r.Name, err)
		}
		m.counters = append(m.counters, c)
	}
	return m, nil
}

func (m *memStore) take(_ context.Context, r *rule, key clientKey, now time.Time) (bool, time.Time, error) {
	c := m.counters[r.idx]
	win, ok := c.GetIfPresent(key)
	if !ok {
		win, _ = c.Compute(key, func(old *window, found bool) (*window, otter.ComputeOp) {
			if found {
				return old, otter.CancelOp
			}
			return &window{}, otter.WriteOp
		})
	}
	ok, until := win.take(now, int64(r.Limit), r.Window, r.Block)
	return ok, until, nil
}

func (m *memStore) close() {
	for _, c := range m.counters {
		c.StopAllGoroutines()
	}
}
