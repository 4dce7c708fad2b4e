package loadgen

import "time"

// integrationStep is the resolution of the schedule. A millisecond keeps the
// error of the integral far below one arrival at any rate we can generate,
// and costs 1,000 evaluations per scheduled second at most.
const integrationStep = time.Millisecond

// Arrivals walks the schedule of a profile: successive calls to Next give the
// offset of each arrival, the n-th falling where the integral of the rate
// reaches n-1/2. The half keeps arrivals away from whole-second boundaries
// (at 100/s they come at 5 ms, 15 ms, ... 995 ms), so rounding in the float
// integral can never move one into the neighbouring second, and any window
// holds the integral over it rounded to the nearest whole arrival. It is
// deterministic and independent of the wall clock, so the pacer and the
// tests share it.
type Arrivals struct {
	p   Profile
	end time.Duration
	t   time.Duration // integrated up to here
	cum float64       // integral of the rate over [0, t)
	n   float64       // arrivals handed out
}

// NewArrivals schedules p over [0, duration).
func NewArrivals(p Profile, duration time.Duration) *Arrivals {
	return &Arrivals{p: p, end: duration}
}

// Next returns the offset of the next arrival, or false once the schedule
// passes its end.
func (a *Arrivals) Next() (time.Duration, bool) {
	target := a.n + 0.5
	for a.t < a.end {
		step := min(integrationStep, a.end-a.t)
		r := a.p.Rate(a.t + step/2)
		if r < 0 {
			r = 0
		}
		inc := r * step.Seconds()
		if a.cum+inc >= target {
			// Interpolate inside the step, and integrate only up to the
			// arrival so the next one starts from here.
			dt := time.Duration((target - a.cum) / r * float64(time.Second))
			a.t += dt
			a.cum = target
			a.n++
			return a.t, true
		}
		a.cum += inc
		a.t += step
	}
	return 0, false
}

// Remaining is how many arrivals the schedule still holds after the last
// one handed out: the ones a run that fell too far behind never sent.
func (a *Arrivals) Remaining() int64 {
	cum := a.cum
	for t := a.t; t < a.end; {
		step := min(integrationStep, a.end-t)
		cum += max(a.p.Rate(t+step/2), 0) * step.Seconds()
		t += step
	}
	return int64(cum + 0.5 - a.n)
}

// PerSecond counts the arrivals of p in each whole second of duration: the
// figure a reader checks a profile by.
func PerSecond(p Profile, duration time.Duration) []int {
	secs := int((duration + time.Second - 1) / time.Second)
	out := make([]int, secs)
	a := NewArrivals(p, duration)
	for {
		t, ok := a.Next()
		if !ok {
			return out
		}
		out[int(t/time.Second)]++
	}
}
