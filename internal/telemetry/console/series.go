package console

import (
	"time"

	"github.com/peakshop/peakshop/internal/telemetry/promsnap"
)

// Point is one sample of the charts. A nil field is "no data" (no traffic
// for latency, or a part of the shop that is not running).
type Point struct {
	T            int64    `json:"t"` // unix seconds
	RPS          *float64 `json:"rps"`
	P50          *float64 `json:"p50_ms"`
	P95          *float64 `json:"p95_ms"`
	P99          *float64 `json:"p99_ms"`
	Errors5xx    *float64 `json:"errors_per_s"`
	Errors4xx    *float64 `json:"client_errors_per_s"`
	OrdersMin    *float64 `json:"orders_per_min"`
	RevenueMin   *float64 `json:"revenue_per_min"` // major units
	CacheHit     *float64 `json:"cache_hit_ratio"`
	Declines     *float64 `json:"declines_per_min"`
	StockOuts    *float64 `json:"stockouts_per_min"`
	QueueLag     *float64 `json:"queue_lag"`
	DeadLetters  *float64 `json:"dead_letters"`
	Instances    *float64 `json:"instances"`
	WAFBlocks    *float64 `json:"waf_blocks_per_s"`
	RateBlocks   *float64 `json:"rate_blocks_per_s"`
	Goroutines   *float64 `json:"goroutines"`
	HeapMB       *float64 `json:"heap_mb"`
	SyntheticRPM *float64 `json:"synthetic_checkouts_per_min"`
}

// Metric names the console reads. Queue series exist where the order
// pipeline runs (JetStream), WAF and rate-rule series where the edge runs
// in-process; without them the page shows "not running".
const (
	mRequests  = "peakshop_http_requests_total"
	mDuration  = "peakshop_http_request_duration_seconds"
	mCheckouts = "peakshop_checkouts_total"
	mRevenue   = "peakshop_revenue_minor_units_total"
	mStockouts = "peakshop_stockout_skus_total"
	mCache     = "peakshop_cache_requests_total"
	mSynthetic = "peakshop_synthetic_checkouts_total"
	mQueueLag  = "peakshop_queue_consumer_lag_messages"
	mDead      = "peakshop_queue_dead_letters"
	mInstances = "peakshop_instance_up"
	mUpstreams = "peakshop_edge_upstream_targets_healthy"
	mWAFBlocks = "peakshop_waf_blocks_total"
	mRateRules = "peakshop_ratelimit_blocks_total"
)

var (
	apiRoutes = promsnap.MustMatcher(map[string]string{"route": `(GET|POST|PUT|DELETE) /api/.*`})
	api5xx    = promsnap.MustMatcher(map[string]string{"route": `(GET|POST|PUT|DELETE) /api/.*`, "code": "5.."})
	api4xx    = promsnap.MustMatcher(map[string]string{"route": `(GET|POST|PUT|DELETE) /api/.*`, "code": "4.."})
	created   = promsnap.MustMatcher(map[string]string{"outcome": "created"})
	declined  = promsnap.MustMatcher(map[string]string{"outcome": "declined"})
	hits      = promsnap.MustMatcher(map[string]string{"result": "hit"})
)

// Sample adds a point for the time since the previous sample.
func (c *Console) Sample(now time.Time) {
	cur, err := promsnap.Take(c.opts.Gatherer, now)
	if err != nil {
		c.opts.Logger.Warn("console: gathering metrics", "err", err)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	prev := c.prev
	c.prev = &cur
	if prev == nil {
		return
	}
	p := point(*prev, cur)
	c.points = append(c.points, p)
	if len(c.points) > c.opts.History {
		c.points = c.points[len(c.points)-c.opts.History:]
	}
}

func point(prev, cur promsnap.Snapshot) Point {
	secs := cur.At.Sub(prev.At).Seconds()
	opt := func(v float64, ok bool) *float64 {
		if !ok {
			return nil
		}
		return &v
	}
	scale := func(k float64, v float64, ok bool) *float64 { return opt(v*k, ok) }
	perMin := func(name string, m promsnap.Matcher) *float64 {
		v, ok := promsnap.Increase(prev, cur, name, m)
		return scale(60/secs, v, ok && secs > 0)
	}
	p := Point{T: cur.At.Unix()}
	p.RPS = opt(promsnap.Rate(prev, cur, mRequests, apiRoutes))
	p.Errors5xx = opt(promsnap.Rate(prev, cur, mRequests, api5xx))
	p.Errors4xx = opt(promsnap.Rate(prev, cur, mRequests, api4xx))
	for q, dst := range map[float64]**float64{0.5: &p.P50, 0.95: &p.P95, 0.99: &p.P99} {
		v, ok := promsnap.Quantile(prev, cur, mDuration, apiRoutes, q)
		*dst = scale(1000, v, ok)
	}
	p.OrdersMin = perMin(mCheckouts, created)
	p.Declines = perMin(mCheckouts, declined)
	p.StockOuts = perMin(mStockouts, nil)
	p.SyntheticRPM = perMin(mSynthetic, nil)
	if r := perMin(mRevenue, nil); r != nil {
		p.RevenueMin = scale(0.01, *r, true) // minor units to major, for a two-decimal currency
	}
	p.CacheHit = opt(promsnap.Ratio(prev, cur, mCache, hits, mCache, nil))
	p.QueueLag = opt(cur.Max(mQueueLag, nil))
	p.DeadLetters = opt(cur.Sum(mDead, nil))
	// Instances: the targets the edge sends traffic to when it proxies to
	// a pool, else the processes whose metrics this registry holds.
	if v, ok := cur.Sum(mUpstreams, nil); ok {
		p.Instances = &v
	} else {
		p.Instances = opt(cur.Sum(mInstances, nil))
	}
	p.WAFBlocks = opt(promsnap.Rate(prev, cur, mWAFBlocks, nil))
	p.RateBlocks = opt(promsnap.Rate(prev, cur, mRateRules, nil))
	p.Goroutines = opt(cur.Sum("go_goroutines", nil))
	if v, ok := cur.Sum("go_memstats_heap_alloc_bytes", nil); ok {
		p.HeapMB = scale(1.0/(1<<20), v, true)
	}
	return p
}

// features says which optional parts of the shop report metrics, so the
// page can say "not running" instead of drawing an empty chart.
func features(s promsnap.Snapshot) map[string]bool {
	return map[string]bool{
		"queue":     s.Has(mQueueLag),
		"instances": s.Has(mInstances) || s.Has(mUpstreams),
		"waf":       s.Has(mWAFBlocks) || s.Has(mRateRules), // blocks appear with the first one; rate rules are listed from the start
		"cache":     s.Has(mCache),
	}
}
