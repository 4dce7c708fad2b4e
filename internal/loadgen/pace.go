package loadgen

import (
	"context"
	"math/rand/v2"
	"sync/atomic"
	"time"
)

// sleepFloor is the shortest wait the pacer sleeps for. Timers on a busy
// machine overshoot by tens of microseconds, so at 20,000 arrivals a second
// sleeping for each one would fall behind; arrivals due within the floor go
// out together instead, at most this early.
const sleepFloor = time.Millisecond

// pace starts a session for every arrival of the schedule, at its time,
// until the schedule ends, the run stops or ctx is cancelled. A slot in the
// shopper pool is taken before each start; waiting for one makes the
// arrival late, and lateness is recorded, never skipped: that is the open
// model.
func (r *runner) pace(ctx context.Context, start time.Time, p Profile, lateAfter time.Duration, launch func(seq uint64, release func())) {
	slots := make(chan struct{}, r.sc.MaxShoppers)
	arr := NewArrivals(p, r.sc.Duration.D())
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	for seq := uint64(1); ; seq++ {
		off, ok := arr.Next()
		if !ok {
			return
		}
		due := start.Add(off)
		if wait := time.Until(due); wait > sleepFloor {
			timer.Reset(wait)
			select {
			case <-timer.C:
			case <-r.stopped:
				return
			case <-ctx.Done():
				return
			}
		}
		select {
		case slots <- struct{}{}:
		case <-r.stopped:
			return
		case <-ctx.Done():
			return
		}
		r.rec.Arrival(time.Since(due), lateAfter)
		launch(seq, func() { <-slots })
	}
}

// session is one arrival: a hostile visitor (with the scenario's share) or a
// shopper on a journey picked by weight.
func (r *runner) session(ctx context.Context, seq uint64) {
	rng := rand.New(rand.NewPCG(r.seed, seq))
	hc := sessionClient(r.tr, r.sc.Timeout.D())
	if r.sc.Hostile.Share > 0 && rng.Float64() < r.sc.Hostile.Share {
		r.hostile(ctx, hc, rng)
		return
	}
	j := &r.journeys[len(r.journeys)-1]
	x := rng.Float64() * r.total
	for i := range r.journeys {
		if x < r.journeys[i].weight {
			j = &r.journeys[i]
			break
		}
		x -= r.journeys[i].weight
	}
	s := shopper{r: r, hc: hc, rng: rng, seq: seq}
	s.shop(ctx, j)
}

// tick closes a second of the timeline and refreshes the progress line
// every second until the returned stop is called (which waits for it).
func (r *runner) tick(start time.Time, p *Progress, inflight *atomic.Int64) (stop func()) {
	done, exited := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(exited)
		t := time.NewTicker(time.Second)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case now := <-t.C:
				r.rec.Tick(now, inflight.Load())
				p.update(now.Sub(start), r.sc.Duration.D(), r.rec)
			}
		}
	}()
	return func() { close(done); <-exited }
}
