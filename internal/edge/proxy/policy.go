package proxy

import (
	"fmt"
	"math/rand/v2"
	"sync/atomic"
	"time"
)

// Selector picks one target among candidates, all of which are available.
// It returns nil only when candidates is empty.
type Selector interface {
	Select(candidates []*Target) *Target
}

// Policy names accepted in configuration.
const (
	PolicyRoundRobin    = "round_robin"
	PolicyLeastRequests = "least_requests"
	PolicyP2CLatency    = "p2c_latency"
)

// NewSelector returns the selector for a policy name ("" is round robin).
func NewSelector(name string) (Selector, error) {
	switch name {
	case "", PolicyRoundRobin:
		return &RoundRobin{}, nil
	case PolicyLeastRequests:
		return LeastRequests{}, nil
	case PolicyP2CLatency:
		return P2CLatency{}, nil
	default:
		return nil, fmt.Errorf("proxy: unknown policy %q", name)
	}
}

// RoundRobin cycles through the candidates.
type RoundRobin struct{ n atomic.Uint64 }

// Select implements Selector.
func (s *RoundRobin) Select(c []*Target) *Target {
	if len(c) == 0 {
		return nil
	}
	return c[(s.n.Add(1)-1)%uint64(len(c))]
}

// LeastRequests picks the target with the fewest outstanding requests,
// breaking ties at random so equal targets share the load.
type LeastRequests struct{}

// Select implements Selector.
func (LeastRequests) Select(c []*Target) *Target {
	var best *Target
	ties := 0
	for _, t := range c {
		switch n := t.Inflight(); {
		case best == nil || n < best.Inflight():
			best, ties = t, 1
		case n == best.Inflight():
			ties++
			if rand.IntN(ties) == 0 { // reservoir sampling among ties
				best = t
			}
		}
	}
	return best
}

// P2CLatency is power of two choices: sample two targets at random and keep
// the one whose latency times outstanding load is lower. It avoids the herd
// that a pure "fastest target" rule sends to one server.
type P2CLatency struct{}

// Select implements Selector.
func (P2CLatency) Select(c []*Target) *Target {
	switch len(c) {
	case 0:
		return nil
	case 1:
		return c[0]
	}
	i := rand.IntN(len(c))
	j := rand.IntN(len(c) - 1)
	if j >= i {
		j++
	}
	a, b := c[i], c[j]
	if p2cCost(b) < p2cCost(a) {
		return b
	}
	return a
}

func p2cCost(t *Target) float64 {
	lat := t.Latency()
	if lat <= 0 {
		lat = time.Millisecond // unmeasured targets look average, so they get tried
	}
	return float64(lat) * float64(t.Inflight()+1)
}
