package api

import (
	"context"
	"github.com/peakshop/peakshop/internal/platform/httpstatus"
	"net/http"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/peakshop/peakshop/internal/domain/order"
	"github.com/peakshop/peakshop/internal/platform/synthetic"
)

// Metrics are the API's Prometheus series: rate, errors and duration per
// route; the business figures (checkout outcomes, revenue, stock-outs) and
// the product cache's hits and misses.
//
// Business figures count a checkout's first answer only (a replay is the
// same order again) and leave out synthetic traffic (W3C baggage
// synthetic=true from load rehearsals), which is counted apart so a
// rehearsal still shows. Labels are bounded: route patterns, outcomes and
// the shop currency, never ids or customer data.
type Metrics struct {
	requests  *prometheus.CounterVec
	duration  *prometheus.HistogramVec
	checkouts *prometheus.CounterVec
	synthetic *prometheus.CounterVec
	revenue   *prometheus.CounterVec
	stockouts prometheus.Counter
	cache     *prometheus.CounterVec
}

// NewMetrics registers the API's series on reg.
func NewMetrics(reg prometheus.Registerer) *Metrics {
	m := &Metrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "peakshop_http_requests_total", Help: "HTTP requests by route, method and status code.",
		}, []string{"route", "code"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "peakshop_http_request_duration_seconds", Help: "HTTP request duration by route.",
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
		}, []string{"route"}),
		checkouts: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "peakshop_checkouts_total", Help: "Checkouts by outcome (created, declined, out_of_stock, error); first answers only, synthetic traffic excluded.",
		}, []string{"outcome"}),
		synthetic: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "peakshop_synthetic_checkouts_total", Help: "Checkouts from synthetic (load rehearsal) traffic by outcome; kept out of the business figures.",
		}, []string{"outcome"}),
		revenue: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "peakshop_revenue_minor_units_total", Help: "Order totals of created orders, in minor units (cents) of the currency.",
		}, []string{"currency"}),
		stockouts: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "peakshop_stockout_skus_total", Help: "SKUs a checkout found short of stock (one checkout may count several).",
		}),
		cache: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "peakshop_cache_requests_total", Help: "Cache lookups by cache and result (hit, miss).",
		}, []string{"cache", "result"}),
	}
	for _, o := range []string{"created", "declined", "out_of_stock", "error"} {
		m.checkouts.WithLabelValues(o) // zero series exist from the start, so rates and alarms have data
	}
	reg.MustRegister(m.requests, m.duration, m.checkouts, m.synthetic, m.revenue, m.stockouts, m.cache)
	return m
}

// instrument counts and times a route. Series are created per route up
// front (route is the pattern, never the raw path, so labels stay bounded).
func (m *Metrics) instrument(route string, next http.Handler) http.Handler {
	if m == nil {
		return next
	}
	obs := m.duration.WithLabelValues(route)
	counts := &codeCounters{vec: m.requests.MustCurryWith(prometheus.Labels{"route": route})}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &httpstatus.Recorder{ResponseWriter: w}
		next.ServeHTTP(rec, r)
		obs.Observe(time.Since(start).Seconds())
		counts.of(rec.Status()).Inc()
	})
}

// codeCounters keeps a route's counter per status code once looked up, so
// a request costs an atomic load instead of hashing two label values under
// the vector's lock (and formatting the code): measured on the product API,
// whose instrumentation budget is 5%. Series still appear only when a code
// is first answered.
type codeCounters struct {
	vec   *prometheus.CounterVec // curried with the route
	codes [500]atomic.Pointer[prometheus.Counter]
}

func (c *codeCounters) of(code int) prometheus.Counter {
	if code < 100 || code > 599 {
		return c.vec.WithLabelValues(strconv.Itoa(code))
	}
	slot := &c.codes[code-100]
	if p := slot.Load(); p != nil {
		return *p
	}
	ctr := c.vec.WithLabelValues(strconv.Itoa(code))
	slot.Store(&ctr)
	return ctr
}

// checkout counts a checkout's answer in the business figures.
func (m *Metrics) checkout(ctx context.Context, out order.Checkout) {
	if m == nil || out.Replayed {
		return
	}
	outcome := string(out.Result.Outcome)
	if synthetic.FromContext(ctx) {
		m.synthetic.WithLabelValues(outcome).Inc()
		return
	}
	m.checkouts.WithLabelValues(outcome).Inc()
	switch out.Result.Outcome {
	case order.Created:
		m.revenue.WithLabelValues(out.Result.Total.Currency).Add(float64(out.Result.Total.Amount))
	case order.OutOfStock:
		m.stockouts.Add(float64(max(1, len(out.Result.Shortages))))
	}
}

// checkoutError counts a checkout that failed with an error.
func (m *Metrics) checkoutError(ctx context.Context) {
	if m == nil {
		return
	}
	if synthetic.FromContext(ctx) {
		m.synthetic.WithLabelValues("error").Inc()
		return
	}
	m.checkouts.WithLabelValues("error").Inc()
}

// cacheCounters returns the hit and miss counters of the named cache; nil
// (counting nothing) without metrics.
func (m *Metrics) cacheCounters(name string) (hits, misses prometheus.Counter) {
	if m == nil {
		return nil, nil
	}
	return m.cache.WithLabelValues(name, "hit"), m.cache.WithLabelValues(name, "miss")
}

func inc(c prometheus.Counter) {
	if c != nil {
		c.Inc()
	}
}
