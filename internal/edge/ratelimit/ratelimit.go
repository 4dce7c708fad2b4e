package ratelimit

import (
	"errors"
	"fmt"
	"log/slog"
	"math"
	"net/http"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"github.com/maypok86/otter/v2"

	"github.com/peakshop/peakshop/internal/edge/clientip"
	"github.com/peakshop/peakshop/internal/edge/reqid"
)

// Rule is one rate-based rule.
type Rule struct {
	Name string
	// PathPrefix and Methods select the requests the rule counts; empty
	// means all.
	PathPrefix string
	Methods    []string
	// PerPath counts per client IP and path instead of per client IP.
	PerPath bool
	// Limit is the number of requests allowed per Window (0 is invalid).
	Limit int
	// Window defaults to 5 minutes; Block, how long an offender is
	// refused, defaults to Window.
	Window, Block time.Duration
}

// Config configures the limiter.
type Config struct {
	Rules []Rule
	// ExemptPaths (exact) are never counted or blocked: health checks.
	ExemptPaths    []string
	TrustForwarded bool
	// MaxClients bounds the counters kept per rule; 0 means 1,000,000.
	MaxClients int
}

// DefaultRules are sized for the shop: generous for browsing, strict for
// sign-in and checkout, where abuse means credential stuffing and card
// testing.
func DefaultRules() []Rule {
	return []Rule{
		{Name: "per-ip", Limit: 3000},
		{Name: "signin", PathPrefix: "/signin", Methods: []string{http.MethodPost}, Limit: 20, Block: 15 * time.Minute},
		{Name: "api-signin", PathPrefix: "/api/v1/auth", Methods: []string{http.MethodPost}, Limit: 20, Block: 15 * time.Minute},
		{Name: "checkout", PathPrefix: "/api/v1/checkout", Methods: []string{http.MethodPost}, Limit: 30, Block: 15 * time.Minute},
	}
}

type rule struct {
	Rule
	counters *otter.Cache[string, *window]
	blocks   atomic.Int64
}

// Limiter enforces the rules.
type Limiter struct {
	rules  []*rule
	cfg    Config
	logger *slog.Logger
	now    func() time.Time
}

// New validates the rules and builds the limiter.
func New(cfg Config, logger *slog.Logger) (*Limiter, error) {
	if cfg.MaxClients == 0 {
		cfg.MaxClients = 1_000_000
	}
	l := &Limiter{cfg: cfg, logger: logger, now: time.Now}
	for _, r := range cfg.Rules {
		if r.Name == "" || r.Limit <= 0 {
			return nil, errors.New("ratelimit: a rule needs a name and a positive limit")
		}
		if r.Window == 0 {
			r.Window = 5 * time.Minute
		}
		if r.Block == 0 {
			r.Block = r.Window
		}
		if r.Window < 0 || r.Block < 0 {
			return nil, fmt.Errorf("ratelimit: rule %q: negative duration", r.Name)
		}
		c, err := otter.New(&otter.Options[string, *window]{
			MaximumSize: cfg.MaxClients,
			// A counter idle for two windows and a block holds nothing.
			ExpiryCalculator: otter.ExpiryAccessing[string, *window](2*r.Window + r.Block),
		})
		if err != nil {
			return nil, fmt.Errorf("ratelimit: rule %q: %w", r.Name, err)
		}
		l.rules = append(l.rules, &rule{Rule: r, counters: c})
	}
	return l, nil
}

// Close stops the counters' background work.
func (l *Limiter) Close() {
	for _, r := range l.rules {
		r.counters.StopAllGoroutines()
	}
}

func (r *rule) applies(req *http.Request) bool {
	if r.PathPrefix != "" && !strings.HasPrefix(req.URL.Path, r.PathPrefix) {
		return false
	}
	return len(r.Methods) == 0 || slices.Contains(r.Methods, req.Method)
}

// Middleware counts each request against every rule that applies and
// refuses it when one is over its limit.
func (l *Limiter) Middleware(next http.Handler) http.Handler {
	if len(l.rules) == 0 {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		if slices.Contains(l.cfg.ExemptPaths, req.URL.Path) {
			next.ServeHTTP(w, req)
			return
		}
		ip := clientip.From(req, l.cfg.TrustForwarded).String()
		now := l.now()
		for _, r := range l.rules {
			if !r.applies(req) {
				continue
			}
			key := ip
			if r.PerPath {
				key = ip + " " + req.URL.Path
			}
			win, ok := r.counters.GetIfPresent(key)
			if !ok {
				win, _ = r.counters.Compute(key, func(old *window, found bool) (*window, otter.ComputeOp) {
					if found {
						return old, otter.CancelOp
					}
					return &window{}, otter.WriteOp
				})
			}
			if ok, until := win.take(now, int64(r.Limit), r.Window, r.Block); !ok {
				r.blocks.Add(1)
				retry := int(math.Ceil(until.Sub(now).Seconds()))
				l.logger.Warn("rate rule block", "rule", r.Name, "request_id", reqid.From(req), "client", ip,
					"method", req.Method, "path", req.URL.Path, "until", until)
				reqid.Reject(w, req, http.StatusTooManyRequests, max(retry, 1))
				return
			}
		}
		next.ServeHTTP(w, req)
	})
}

// Blocks returns the number of refused requests per rule.
func (l *Limiter) Blocks() map[string]int64 {
	out := map[string]int64{}
	for _, r := range l.rules {
		out[r.Name] = r.blocks.Load()
	}
	return out
}
