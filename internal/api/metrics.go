package api

import (
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Metrics are the API's Prometheus series: rate, errors and duration per
// route, and checkout outcomes.
type Metrics struct {
	requests  *prometheus.CounterVec
	duration  *prometheus.HistogramVec
	checkouts *prometheus.CounterVec
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
			Name: "peakshop_checkouts_total", Help: "Checkout attempts by outcome (created, declined, out_of_stock, error).",
		}, []string{"outcome"}),
	}
	reg.MustRegister(m.requests, m.duration, m.checkouts)
	return m
}

type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (r *statusRecorder) WriteHeader(code int) {
	if r.status == 0 {
		r.status = code
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *statusRecorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	return r.ResponseWriter.Write(b)
}

func (r *statusRecorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

// instrument counts and times a route. Series are created per route up
// front (route is the pattern, never the raw path, so labels stay bounded).
func (m *Metrics) instrument(route string, next http.Handler) http.Handler {
	if m == nil {
		return next
	}
	obs := m.duration.WithLabelValues(route)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: w}
		next.ServeHTTP(rec, r)
		obs.Observe(time.Since(start).Seconds())
		if rec.status == 0 {
			rec.status = http.StatusOK
		}
		m.requests.WithLabelValues(route, strconv.Itoa(rec.status)).Inc()
	})
}

func (m *Metrics) checkout(outcome string) {
	if m != nil {
		m.checkouts.WithLabelValues(outcome).Inc()
	}
}
