package telemetry

import (
	"math/rand/v2"
	"sync/atomic"
	"time"

	"golang.org/x/time/rate"
)

// admission decides, before any span exists, whether a request that
// arrives without a sampled trace starts a recorded one: when the ratio
// says so and the per-second budget has room. A quiet shop (or a test)
// records every request; at peak tracing costs a bounded number of
// recorded traces a second however large the traffic, and a request that is
// not recorded costs no span at all (no ids, no allocation). This is what
// keeps instrumentation within 5% of the product API's throughput.
// Requests that arrive sampled from a caller (the edge) are always recorded,
// so a trace is never cut in the middle.
//
// Once the budget is spent, the next token is at least 1/perSecond away, so
// until then every request is turned away by one atomic load instead of the
// limiter's lock, which all the server's goroutines would queue on at peak.
type admission struct {
	ratio  float64
	budget *rate.Limiter
	gap    int64        // nanoseconds between tokens
	closed atomic.Int64 // unix nanoseconds until which the budget is known spent
}

func newAdmission(ratio float64, perSecond int) *admission {
	return &admission{ratio: ratio, budget: rate.NewLimiter(rate.Limit(perSecond), perSecond), gap: int64(time.Second) / int64(perSecond)}
}

func (a *admission) admit() bool {
	if a.ratio < 1 && rand.Float64() >= a.ratio {
		return false
	}
	now := time.Now()
	if now.UnixNano() < a.closed.Load() {
		return false
	}
	if a.budget.AllowN(now, 1) {
		return true
	}
	a.closed.Store(now.UnixNano() + a.gap)
	return false
}
