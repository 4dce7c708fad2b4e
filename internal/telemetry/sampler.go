package telemetry

import (
	"math/rand/v2"

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
type admission struct {
	ratio  float64
	budget *rate.Limiter
}

func newAdmission(ratio float64, perSecond int) *admission {
	return &admission{ratio: ratio, budget: rate.NewLimiter(rate.Limit(perSecond), perSecond)}
}

func (a *admission) admit() bool {
	return (a.ratio >= 1 || rand.Float64() < a.ratio) && a.budget.Allow()
}
