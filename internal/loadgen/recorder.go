package loadgen

import (
	"sync"
	"sync/atomic"
	"time"

	"github.com/HdrHistogram/hdrhistogram-go"
)

// Names latency is recorded under besides the step kinds.
const (
	stepCart = "cart" // POST /api/v1/carts, on the first add to cart
	stepAll  = "all"  // every shopper request
)

// Error kinds, the keys of Result.Errors.
const (
	ErrStatus4xx  = "status_4xx"
	ErrStatus5xx  = "status_5xx"
	ErrTimeout    = "timeout"
	ErrConnection = "connection"
	ErrOther      = "other"
)

// Histograms hold microseconds from 1 µs to 2 minutes at 3 significant
// digits: more than any request timeout we allow, and about 200 KB each.
const (
	histMin, histMax, histDigits = 1, int64(2 * time.Minute / time.Microsecond), 3
)

func newHist() *hdrhistogram.Histogram { return hdrhistogram.New(histMin, histMax, histDigits) }

type stepStats struct {
	hist   *hdrhistogram.Histogram
	errors int64
}

// Recorder collects what a run saw. Histograms sit behind one mutex: a
// recording costs tens of nanoseconds, far below the cost of the HTTP
// exchange it measures, so sharding would buy nothing measurable.
type Recorder struct {
	start time.Time

	mu       sync.Mutex
	steps    map[string]*stepStats
	errs     map[string]int64
	statuses [600]int64 // by HTTP status: an array, no allocation per request
	hostile  map[string]*HostileStats
	window   *hdrhistogram.Histogram // latency of the current second
	point    Point                   // counts of the current second
	timeline []Point
	orders   int64 // orders counted into the timeline so far

	funnel                                    funnelCounters
	requests, arrivals, late, lateMax, unsent atomic.Int64
}

type funnelCounters struct {
	sessions, hostileSessions, carts, attempts, orders, declines, outOfStock, failed, abandoned atomic.Int64
}

// NewRecorder starts recording at start.
func NewRecorder(start time.Time) *Recorder {
	return &Recorder{
		start: start, steps: map[string]*stepStats{}, errs: map[string]int64{},
		hostile: map[string]*HostileStats{}, window: newHist(),
	}
}

// Request records one shopper exchange under step. kind is classify's
// verdict, possibly overridden by the step (a 402 at checkout is a decline,
// not an error).
func (r *Recorder) Request(step string, d time.Duration, status int, kind string) {
	us := max(d.Microseconds(), histMin)
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, name := range [2]string{step, stepAll} {
		s := r.steps[name]
		if s == nil {
			s = &stepStats{hist: newHist()}
			r.steps[name] = s
		}
		_ = s.hist.RecordValue(min(us, histMax)) // clamped, cannot fail
		if kind != "" {
			s.errors++
		}
	}
	_ = r.window.RecordValue(min(us, histMax))
	r.point.Requests++
	if kind != "" {
		r.errs[kind]++
		r.point.Errors++
	}
	if status > 0 && status < len(r.statuses) {
		r.statuses[status]++
	}
}

// Hostile records one exchange of a hostile session.
func (r *Recorder) Hostile(attack string, status int, err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	h := r.hostile[attack]
	if h == nil {
		h = &HostileStats{}
		r.hostile[attack] = h
	}
	h.Requests++
	r.point.Hostile++
	switch {
	case err != nil:
		h.Failed++
	case status == 403 || status == 429:
		h.Blocked++
	case status >= 500:
		h.ServerErrors++
	case status >= 400:
		h.Rejected++
	default:
		h.Passed++
	}
}

// Arrival records a scheduled session start and how late it was.
func (r *Recorder) Arrival(lateness, lateAfter time.Duration) {
	r.arrivals.Add(1)
	if lateness > lateAfter {
		r.late.Add(1)
	}
	for {
		cur := r.lateMax.Load()
		if int64(lateness) <= cur || r.lateMax.CompareAndSwap(cur, int64(lateness)) {
			return
		}
	}
}

// reserve takes one request from the run's budget; false once it is spent.
func (r *Recorder) reserve(limit int64) bool { return r.requests.Add(1) <= limit }

// Tick closes the current second of the timeline.
func (r *Recorder) Tick(now time.Time, inflight int64) {
	r.mu.Lock()
	defer r.mu.Unlock()
	p := r.point
	p.T = now.Sub(r.start).Seconds()
	p.InFlight = inflight
	total := r.funnel.orders.Load()
	p.Orders, r.orders = total-r.orders, total
	if r.window.TotalCount() > 0 {
		p.P50 = ms(r.window.ValueAtQuantile(50))
		p.P99 = ms(r.window.ValueAtQuantile(99))
	}
	r.timeline = append(r.timeline, p)
	r.point = Point{}
	r.window.Reset()
}

func ms(us int64) float64 { return float64(us) / 1000 }
