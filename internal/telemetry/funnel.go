package telemetry

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Funnel is the shop's conversion funnel over a recent window, synthetic
// traffic left out: what the shop's store counts (telemetry does not read
// the database itself).
type Funnel struct {
	Sessions, SessionsWithCart, SessionsOrdered int64
	CartsOrdered, CartsAbandoned, CartsActive   int64
}

// FunnelOptions configure NewFunnelCollector.
type FunnelOptions struct {
	// Count returns the funnel of carts and sessions created in the last
	// Window, an open cart untouched for AbandonAfter being abandoned.
	Count func(ctx context.Context, now time.Time, window, abandonAfter time.Duration) (Funnel, error)
	// Window (default 1h) and AbandonAfter (default 30m).
	Window, AbandonAfter time.Duration
	// TTL is how long one count serves scrapes (default 15s): the count
	// scans a window of carts, and scrapers (Prometheus, the console, the
	// alarm engine) must not repeat it each.
	TTL    time.Duration
	Logger *slog.Logger
}

var (
	descFunnelSessions = prometheus.NewDesc("peakshop_funnel_sessions",
		"Storefront sessions opened in the funnel window (synthetic excluded) by state: all, with_cart (its cart holds something), ordered (its cart was checked out).",
		[]string{"state"}, nil)
	descFunnelCarts = prometheus.NewDesc("peakshop_funnel_carts",
		"Carts with items created in the funnel window (synthetic excluded) by state: ordered, abandoned (open and untouched past the abandonment age), active.",
		[]string{"state"}, nil)
	descConversion = prometheus.NewDesc("peakshop_funnel_session_conversion_ratio",
		"Share of the window's sessions whose cart became an order.", nil, nil)
	descAbandonment = prometheus.NewDesc("peakshop_funnel_cart_abandonment_ratio",
		"Share of the window's decided carts (ordered or abandoned) that were abandoned.", nil, nil)
)

// NewFunnelCollector reports the funnel as gauges, counted at most once per
// TTL. Ratios are left out while their denominator is zero (no data is not
// 0% conversion).
func NewFunnelCollector(o FunnelOptions) prometheus.Collector {
	if o.Window <= 0 {
		o.Window = time.Hour
	}
	if o.AbandonAfter <= 0 {
		o.AbandonAfter = 30 * time.Minute
	}
	if o.TTL <= 0 {
		o.TTL = 15 * time.Second
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	return &funnelCollector{o: o}
}

type funnelCollector struct {
	o FunnelOptions

	mu   sync.Mutex
	at   time.Time
	last Funnel
	ok   bool
}

func (c *funnelCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- descFunnelSessions
	ch <- descFunnelCarts
	ch <- descConversion
	ch <- descAbandonment
}

func (c *funnelCollector) Collect(ch chan<- prometheus.Metric) {
	f, ok := c.funnel()
	if !ok {
		return // never counted yet: no series rather than zeros
	}
	g := func(d *prometheus.Desc, v float64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v, labels...)
	}
	g(descFunnelSessions, float64(f.Sessions), "all")
	g(descFunnelSessions, float64(f.SessionsWithCart), "with_cart")
	g(descFunnelSessions, float64(f.SessionsOrdered), "ordered")
	g(descFunnelCarts, float64(f.CartsOrdered), "ordered")
	g(descFunnelCarts, float64(f.CartsAbandoned), "abandoned")
	g(descFunnelCarts, float64(f.CartsActive), "active")
	if f.Sessions > 0 {
		g(descConversion, float64(f.SessionsOrdered)/float64(f.Sessions))
	}
	if decided := f.CartsOrdered + f.CartsAbandoned; decided > 0 {
		g(descAbandonment, float64(f.CartsAbandoned)/float64(decided))
	}
}

func (c *funnelCollector) funnel() (Funnel, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.at.IsZero() && time.Since(c.at) < c.o.TTL {
		return c.last, c.ok
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	now := time.Now()
	f, err := c.o.Count(ctx, now, c.o.Window, c.o.AbandonAfter)
	c.at = now
	if err != nil {
		c.o.Logger.Warn("funnel metrics: counting carts and sessions failed", "err", err)
		return c.last, c.ok // the last count, if any
	}
	c.last, c.ok = f, true
	return f, true
}
