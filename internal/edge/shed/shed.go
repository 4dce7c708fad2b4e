package shed

import (
	"errors"
	"log/slog"
	"math"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/peakshop/peakshop/internal/edge/reqid"
)

// Header marks the shedder's 503s so that a cache in front can answer
// with a stale copy instead (see cache.Config.OverloadHeader).
const Header = "X-Edge-Shed"

// Priority orders classes; higher is shed later.
type Priority int

// Priorities, lowest first.
const (
	Browse Priority = iota
	Cart
	Checkout
)

func (p Priority) String() string {
	return [...]string{"browse", "cart", "checkout"}[p]
}

// ClassRule puts requests whose path starts with PathPrefix in a class.
// The longest matching prefix wins; unmatched requests are Browse.
type ClassRule struct {
	PathPrefix string
	Priority   Priority
}

// Config configures the shedder.
type Config struct {
	Classes []ClassRule
	// Shares are the fractions of the limit each class may fill, by
	// priority; zero means 0.6, 0.85, 1.0.
	Shares [3]float64
	// InitialLimit, MinLimit and MaxLimit bound the concurrency limit;
	// zeros mean 200, 20 and 2000.
	InitialLimit, MinLimit, MaxLimit int
	// TargetLatency is the browse and cart latency above which the limit
	// shrinks; 0 means 500ms.
	TargetLatency time.Duration
	// CheckoutTargetLatency is the checkout latency above which
	// checkout's own limit shrinks; 0 means four times TargetLatency.
	// Checkout waits on the payment provider, so it is judged against a
	// looser target than pages are.
	CheckoutTargetLatency time.Duration
	// RetryAfter is sent with each 503; 0 means 2s.
	RetryAfter time.Duration
	// ExemptPaths (exact) are never shed: health checks.
	ExemptPaths []string
}

// DefaultClasses maps the shop's paths to priorities.
func DefaultClasses() []ClassRule {
	return []ClassRule{
		{PathPrefix: "/cart", Priority: Cart},
		{PathPrefix: "/api/v1/cart", Priority: Cart},
		{PathPrefix: "/checkout", Priority: Checkout},
		{PathPrefix: "/api/v1/checkout", Priority: Checkout},
		{PathPrefix: "/api/v1/orders", Priority: Checkout},
		{PathPrefix: "/api/v1/payments", Priority: Checkout},
		// A payment provider's notices, and the operators' console and
		// admin API: needed most when the shop is busiest.
		{PathPrefix: "/api/v1/webhooks", Priority: Checkout},
		{PathPrefix: "/admin", Priority: Checkout},
		{PathPrefix: "/api/v1/admin", Priority: Checkout},
		{PathPrefix: "/console", Priority: Checkout},
	}
}

// Shedder admits or refuses requests by priority.
type Shedder struct {
	cfg    Config
	logger *slog.Logger
	// shopInflight counts browse and cart requests in flight,
	// checkoutInflight checkout's; see the package doc for why apart.
	shopInflight, checkoutInflight atomic.Int64
	shed                           [3]atomic.Int64

	mu       sync.Mutex
	shop     lane // adapts on browse and cart latency
	checkout lane // adapts on checkout latency
	now      func() time.Time
}

// lane is one AIMD concurrency limit and the latency it is judged by.
type lane struct {
	limit        float64
	target       time.Duration
	lastDecrease time.Time
}

// New validates the configuration.
func New(cfg Config, logger *slog.Logger) (*Shedder, error) {
	if cfg.Classes == nil {
		cfg.Classes = DefaultClasses()
	}
	if cfg.Shares == ([3]float64{}) {
		cfg.Shares = [3]float64{0.6, 0.85, 1.0}
	}
	cfg.InitialLimit = orDefault(cfg.InitialLimit, 200)
	cfg.MinLimit = orDefault(cfg.MinLimit, 20)
	cfg.MaxLimit = orDefault(cfg.MaxLimit, 2000)
	if cfg.TargetLatency == 0 {
		cfg.TargetLatency = 500 * time.Millisecond
	}
	if cfg.CheckoutTargetLatency == 0 {
		cfg.CheckoutTargetLatency = 4 * cfg.TargetLatency
	}
	if cfg.RetryAfter == 0 {
		cfg.RetryAfter = 2 * time.Second
	}
	if cfg.MinLimit > cfg.MaxLimit || cfg.InitialLimit < cfg.MinLimit || cfg.InitialLimit > cfg.MaxLimit {
		return nil, errors.New("shed: want MinLimit <= InitialLimit <= MaxLimit")
	}
	for _, s := range cfg.Shares {
		if s <= 0 || s > 1 {
			return nil, errors.New("shed: shares must be in (0, 1]")
		}
	}
	return &Shedder{cfg: cfg, logger: logger, now: time.Now,
		shop:     lane{limit: float64(cfg.InitialLimit), target: cfg.TargetLatency},
		checkout: lane{limit: float64(cfg.InitialLimit), target: cfg.CheckoutTargetLatency}}, nil
}

func orDefault(v, def int) int {
	if v == 0 {
		return def
	}
	return v
}

// Classify returns the request's priority.
func (s *Shedder) Classify(r *http.Request) Priority {
	best, bestLen := Browse, -1
	for _, c := range s.cfg.Classes {
		if strings.HasPrefix(r.URL.Path, c.PathPrefix) && len(c.PathPrefix) > bestLen {
			best, bestLen = c.Priority, len(c.PathPrefix)
		}
	}
	return best
}

// Limit returns the current concurrency limit of browse and cart, the
// shop's own work.
func (s *Shedder) Limit() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return int(s.shop.limit)
}

// CheckoutLimit returns the limit checkout is admitted against: its own,
// never below the shop's.
func (s *Shedder) CheckoutLimit() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return int(math.Max(s.checkout.limit, s.shop.limit))
}

// Shed returns how many requests were refused per class.
func (s *Shedder) Shed() map[string]int64 {
	out := map[string]int64{}
	for p := Browse; p <= Checkout; p++ {
		out[p.String()] = s.shed[p].Load()
	}
	return out
}

// Middleware sheds requests over their class's share of the limit.
func (s *Shedder) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		for _, p := range s.cfg.ExemptPaths {
			if r.URL.Path == p {
				next.ServeHTTP(w, r)
				return
			}
		}
		p := s.Classify(r)
		counter, n, allowed := s.admit(p)
		if n > allowed {
			counter.Add(-1)
			s.shed[p].Add(1)
			s.logger.Debug("shed", "class", p.String(), "inflight", n-1, "allowed", allowed, "request_id", reqid.From(r))
			w.Header().Set(Header, p.String())
			reqid.Reject(w, r, http.StatusServiceUnavailable, int(math.Ceil(s.cfg.RetryAfter.Seconds())))
			return
		}
		start := s.now()
		defer func() {
			counter.Add(-1)
			s.observe(p, s.now().Sub(start), n)
		}()
		next.ServeHTTP(w, r)
	})
}

// admit counts the request in and returns its counter, the in-flight
// figure it is judged by and what its class is allowed. Browse and cart
// count only browse and cart against their shares of the shop's limit;
// checkout counts everything in flight against its own limit, so it is
// refused only when the whole edge is full.
func (s *Shedder) admit(p Priority) (*atomic.Int64, int64, int64) {
	s.mu.Lock()
	shop, checkout := s.shop.limit, math.Max(s.checkout.limit, s.shop.limit)
	s.mu.Unlock()
	if p == Checkout {
		k := s.checkoutInflight.Add(1)
		return &s.checkoutInflight, k + s.shopInflight.Load(), share(checkout, s.cfg.Shares[p])
	}
	return &s.shopInflight, s.shopInflight.Add(1), share(shop, s.cfg.Shares[p])
}

func share(limit, fraction float64) int64 { return int64(math.Max(1, math.Floor(limit*fraction))) }

// observe adapts the limit of p's lane to one admitted request's latency;
// inflight is the concurrency it was admitted at.
func (s *Shedder) observe(p Priority, latency time.Duration, inflight int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	l := &s.shop
	if p == Checkout {
		l = &s.checkout
	}
	l.observe(s.now(), latency, inflight, float64(s.cfg.MinLimit), float64(s.cfg.MaxLimit))
}

func (l *lane) observe(now time.Time, latency time.Duration, inflight int64, minLimit, maxLimit float64) {
	switch {
	case latency > l.target:
		// Shrink at most once per target latency, so one burst of slow
		// responses (all admitted before the shrink) counts once.
		if now.Sub(l.lastDecrease) >= l.target {
			l.limit = math.Max(minLimit, l.limit*0.9)
			l.lastDecrease = now
		}
	case float64(inflight) >= l.limit*0.5:
		// Grow only while the limit is actually in use; an idle edge must
		// not drift up to MaxLimit and then admit a stampede.
		l.limit = math.Min(maxLimit, l.limit+1/math.Sqrt(l.limit))
	}
}
