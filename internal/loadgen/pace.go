package loadgen

import (
	"context"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"
)

// sleepFloor is the shortest wait the pacer sleeps for. Timers on a busy
// machine overshoot by tens of microseconds, so at 20,000 arrivals a second
// sleeping for each one would fall behind; arrivals due within the floor go
// out together instead, at most this early.
const sleepFloor = time.Millisecond

// pace hands every arrival of the schedule to a shopper, at its time, until
// the schedule ends, the run stops or ctx is cancelled. When every shopper
// of the pool is busy the arrival waits for one: it goes out late, and the
// lateness is recorded, never skipped. That is the open model.
//
// A generator too slow for its schedule would run on for ever; so at the
// end of the schedule plus the graceful stop it gives up, and the arrivals
// it never sent are counted as unsent (the run is bounded, and the report
// says plainly that the offered load was not delivered).
func (r *runner) pace(ctx context.Context, start time.Time, p Profile, lateAfter time.Duration, dispatch func(seq uint64) bool) {
	arr := NewArrivals(p, r.sc.Duration.D())
	deadline := start.Add(r.sc.Duration.D() + r.sc.GracefulStop.D())
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	for seq := uint64(1); ; seq++ {
		off, ok := arr.Next()
		if !ok {
			return
		}
		due := start.Add(off)
		if time.Now().After(deadline) {
			r.rec.unsent.Store(1 + arr.Remaining())
			return
		}
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
		if !dispatch(seq) {
			return
		}
		r.rec.Arrival(time.Since(due), lateAfter)
	}
}

// pool runs sessions on long-lived goroutines, started on demand up to
// max. Reusing them matters at tens of thousands of arrivals a second: a
// fresh goroutine per session would grow its stack through net/http every
// time, and that copying cost more than the request itself.
type pool struct {
	r        *runner
	ctx      context.Context // for the sessions' requests
	abort    <-chan struct{} // the run's interrupt
	work     chan uint64
	workers  int // only the pacer touches it
	max      int
	wg       sync.WaitGroup
	inflight atomic.Int64
}

func newPool(r *runner, reqCtx context.Context, abort <-chan struct{}) *pool {
	return &pool{r: r, ctx: reqCtx, abort: abort, work: make(chan uint64), max: r.sc.MaxShoppers}
}

// dispatch gives seq to an idle shopper, a new one, or (all busy, pool
// full) the first to finish; false if the run stops while waiting.
func (p *pool) dispatch(seq uint64) bool {
	select {
	case p.work <- seq:
		return true
	default:
	}
	if p.workers < p.max {
		p.workers++
		p.wg.Go(func() { p.worker(seq) })
		return true
	}
	select {
	case p.work <- seq:
		return true
	case <-p.r.stopped:
		return false
	case <-p.abort:
		return false
	}
}

func (p *pool) worker(seq uint64) {
	for {
		p.inflight.Add(1)
		p.r.session(p.ctx, seq)
		p.inflight.Add(-1)
		var ok bool
		if seq, ok = <-p.work; !ok {
			return
		}
	}
}

// close lets the shoppers go once their sessions end.
func (p *pool) close() { close(p.work) }

// session is one arrival: a hostile visitor (with the scenario's share) or a
// shopper on a journey picked by weight.
func (r *runner) session(ctx context.Context, seq uint64) {
	rng := rand.New(rand.NewPCG(r.seed, seq))
	cookies := &jar{}
	hostile := r.sc.Hostile.Share > 0 && rng.Float64() < r.sc.Hostile.Share
	if r.xff {
		cookies.addr = sessionAddr(seq, hostile)
	}
	if hostile {
		r.hostile(ctx, cookies, rng)
		return
	}
	if r.flashShopper(time.Since(r.start), rng) {
		s := shopper{r: r, jar: cookies, rng: rng, seq: seq}
		s.shop(ctx, &r.flash)
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
	s := shopper{r: r, jar: cookies, rng: rng, seq: seq}
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
