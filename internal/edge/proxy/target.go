package proxy

import (
	"net/url"
	"sync/atomic"
	"time"
)

// Target is one upstream server in a pool. Its URL never changes; all the
// rest is live state shared by concurrent requests, hence atomics.
type Target struct {
	URL *url.URL

	inflight     atomic.Int64
	healthy      atomic.Bool  // last verdict of the active health check
	draining     atomic.Bool  // no new requests; removed once idle or at deadline
	ejectedUntil atomic.Int64 // unix nanos; passive outlier ejection
	consecFails  atomic.Int32 // consecutive 5xx, connection errors or missed deadlines
	latencyEWMA  atomic.Int64 // nanoseconds to response headers
	requests     atomic.Int64
	failures     atomic.Int64

	// Only the pool's health-check goroutine touches these.
	hcPass, hcFail int
}

func newTarget(u *url.URL) *Target {
	t := &Target{URL: u}
	t.healthy.Store(true) // optimistic: a new target serves until a check says otherwise
	return t
}

// Available reports whether the target may receive a new request now. It is
// the single predicate every selection policy reads.
func (t *Target) Available(now time.Time) bool {
	return t.healthy.Load() && !t.draining.Load() && now.UnixNano() >= t.ejectedUntil.Load()
}

// Inflight is the number of requests currently outstanding on the target,
// counted until the response body is closed.
func (t *Target) Inflight() int64 { return t.inflight.Load() }

// Latency is the smoothed time to response headers.
func (t *Target) Latency() time.Duration { return time.Duration(t.latencyEWMA.Load()) }

// observeLatency folds one sample into an exponentially weighted moving
// average (alpha 1/8), lock-free.
func (t *Target) observeLatency(d time.Duration) {
	for {
		old := t.latencyEWMA.Load()
		next := int64(d)
		if old != 0 {
			next = old + (int64(d)-old)/8
		}
		if t.latencyEWMA.CompareAndSwap(old, next) {
			return
		}
	}
}

// TargetStatus is a target's state as the admin API reports it.
type TargetStatus struct {
	URL      string        `json:"url"`
	Healthy  bool          `json:"healthy"`
	Draining bool          `json:"draining"`
	Ejected  bool          `json:"ejected"`
	Inflight int64         `json:"inflight"`
	Latency  time.Duration `json:"latency_ns"`
	Requests int64         `json:"requests"`
	Failures int64         `json:"failures"`
}

func (t *Target) status(now time.Time) TargetStatus {
	return TargetStatus{
		URL:      t.URL.String(),
		Healthy:  t.healthy.Load(),
		Draining: t.draining.Load(),
		Ejected:  now.UnixNano() < t.ejectedUntil.Load(),
		Inflight: t.inflight.Load(),
		Latency:  t.Latency(),
		Requests: t.requests.Load(),
		Failures: t.failures.Load(),
	}
}
