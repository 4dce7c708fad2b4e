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
	// TargetLatency is the latency above which the limit shrinks; 0 means
	// 500ms.
	TargetLatency time.Duration
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
	cfg      Config
	logger   *slog.Logger
	inflight atomic.Int64
	shed     [3]atomic.Int64

	mu           sync.Mutex
	limit        float64
	lastDecrease time.Time
	now          func() time.Time
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
	return &Shedder{cfg: cfg, logger: logger, limit: float64(cfg.InitialLimit), now: time.Now}, nil
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

// Limit returns the current concurrency limit.
func (s *Shedder) Limit() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return int(s.limit)
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
		allowed := int64(math.Max(1, math.Floor(float64(s.Limit())*s.cfg.Shares[p])))
		n := s.inflight.Add(1)
		if n > allowed {
			s.inflight.Add(-1)
			s.shed[p].Add(1)
			s.logger.Debug("shed", "class", p.String(), "inflight", n-1, "allowed", allowed, "request_id", reqid.From(r))
			w.Header().Set(Header, p.String())
			reqid.Reject(w, r, http.StatusServiceUnavailable, int(math.Ceil(s.cfg.RetryAfter.Seconds())))
			return
		}
		start := s.now()
		defer func() {
			s.inflight.Add(-1)
			s.observe(s.now().Sub(start), n)
		}()
		next.ServeHTTP(w, r)
	})
}

// observe adapts the limit to one admitted request's latency; inflight is
// the concurrency it was admitted at.
func (s *Shedder) observe(latency time.Duration, inflight int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	switch {
	case latency > s.cfg.TargetLatency:
		// Shrink at most once per target latency, so one burst of slow
		// responses (all admitted before the shrink) counts once.
		if now.Sub(s.lastDecrease) >= s.cfg.TargetLatency {
			s.limit = math.Max(float64(s.cfg.MinLimit), s.limit*0.9)
			s.lastDecrease = now
		}
	case float64(inflight) >= s.limit*0.5:
		// Grow only while the limit is actually in use; an idle edge must
		// not drift up to MaxLimit and then admit a stampede.
		s.limit = math.Min(float64(s.cfg.MaxLimit), s.limit+1/math.Sqrt(s.limit))
	}
}
