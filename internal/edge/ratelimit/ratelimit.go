package ratelimit

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"net/http"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"github.com/peakshop/peakshop/internal/edge/challenge"
	"github.com/peakshop/peakshop/internal/edge/clientip"
	"github.com/peakshop/peakshop/internal/edge/reqid"
)

// Actions a rule takes on a client over its limit.
const (
	ActionBlock     = "block"     // 429 with Retry-After (the default)
	ActionChallenge = "challenge" // the JavaScript challenge page, see package challenge
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
	// Action is ActionBlock ("" too) or ActionChallenge: a client that
	// solves the challenge is let through this rule, uncounted, while its
	// pass lasts.
	Action string
}

// Config configures the limiter.
type Config struct {
	Rules []Rule
	// ExemptPaths (exact) are never counted or blocked: health checks.
	ExemptPaths    []string
	TrustForwarded bool
	// MaxClients bounds the in-process counters kept per rule; 0 means
	// 1,000,000.
	MaxClients int
	// Redis, a redis:// or rediss:// URL, shares the counters between
	// edge instances; empty keeps them in process.
	Redis string
	// RedisPrefix starts every key; "" means "peakshop:rl:". Instances
	// that share counts must share it.
	RedisPrefix string
	// RedisTimeout bounds one Redis call; past it the request is allowed
	// (fail open). 0 means 50 ms.
	RedisTimeout time.Duration
	// Challenge configures the page of ActionChallenge rules; its Secret
	// must be shared by instances behind one name.
	Challenge challenge.Config
}

// DefaultRules are sized for the shop: generous for browsing, strict for
// sign-in and checkout, where abuse means credential stuffing and card
// testing.
func DefaultRules() []Rule {
	return []Rule{
		{Name: "per-ip", Limit: 3000},
		// The storefront's sign-in form, and the admin's second factor
		// behind it: credential stuffing and code guessing.
		{Name: "signin", PathPrefix: "/account/signin", Methods: []string{http.MethodPost}, Limit: 20, Block: 15 * time.Minute},
		{Name: "admin-verify", PathPrefix: "/admin/verify", Methods: []string{http.MethodPost}, Limit: 20, Block: 15 * time.Minute},
		{Name: "api-signin", PathPrefix: "/api/v1/auth", Methods: []string{http.MethodPost}, Limit: 20, Block: 15 * time.Minute},
		{Name: "checkout", PathPrefix: "/api/v1/checkout", Methods: []string{http.MethodPost}, Limit: 30, Block: 15 * time.Minute},
	}
}

type rule struct {
	Rule
	idx    int // position in Limiter.rules, for the stores
	blocks atomic.Int64
}

// store holds the counters: in process (memStore) or in Redis
// (redisStore). take counts one request of key against r at now and
// reports whether it is allowed, and if not until when the client is
// blocked.
type store interface {
	take(ctx context.Context, r *rule, key clientKey, now time.Time) (ok bool, until time.Time, err error)
	close()
}

// Limiter enforces the rules.
type Limiter struct {
	rules     []*rule
	cfg       Config
	logger    *slog.Logger
	now       func() time.Time
	store     store
	challenge *challenge.Challenger // nil unless a rule challenges

	failOpen   atomic.Int64 // requests allowed because Redis failed
	challenged atomic.Int64
	downUntil  atomic.Int64 // unix nanos: skip Redis until then
	lastLog    atomic.Int64 // unix nanos of the last fail-open log line
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
		if cfg.Redis != "" && r.Window < time.Millisecond {
			// The Redis counters work in milliseconds.
			return nil, fmt.Errorf("ratelimit: rule %q: window under 1ms", r.Name)
		}
		switch r.Action {
		case "", ActionBlock:
			r.Action = ActionBlock
		case ActionChallenge:
			if l.challenge == nil {
				c, err := challenge.New(cfg.Challenge)
				if err != nil {
					return nil, fmt.Errorf("ratelimit: rule %q: %w", r.Name, err)
				}
				l.challenge = c
			}
		default:
			return nil, fmt.Errorf("ratelimit: rule %q: action %q: want block or challenge", r.Name, r.Action)
		}
		l.rules = append(l.rules, &rule{Rule: r, idx: len(l.rules)})
	}
	var err error
	if cfg.Redis != "" {
		l.store, err = newRedisStore(cfg, logger)
	} else {
		l.store, err = newMemStore(l.rules, cfg.MaxClients)
	}
	if err != nil {
		return nil, err
	}
	return l, nil
}

// Close releases the counters (background work or the Redis client).
func (l *Limiter) Close() { l.store.close() }

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
		addr := clientip.From(req, l.cfg.TrustForwarded)
		now := l.now()
		for _, r := range l.rules {
			if !r.applies(req) {
				continue
			}
			// A solved challenge lets the client through the rule
			// without counting: that is what it was for.
			if r.Action == ActionChallenge && l.challenge.Passed(req, addr.String(), now) {
				continue
			}
			key := clientKey{addr: addr}
			if r.PerPath {
				key.path = req.URL.Path
			}
			ok, until := l.take(req.Context(), r, key, now)
			if ok {
				continue
			}
			ip := addr.String()
			r.blocks.Add(1)
			l.logger.Warn("rate rule "+r.Action, "rule", r.Name, "request_id", reqid.From(req), "client", ip,
				"method", req.Method, "path", req.URL.Path, "until", until)
			if r.Action == ActionChallenge {
				l.challenged.Add(1)
				l.challenge.Serve(w, req, ip, now)
				return
			}
			retry := int(math.Ceil(until.Sub(now).Seconds()))
			reqid.Reject(w, req, http.StatusTooManyRequests, max(retry, 1))
			return
		}
		next.ServeHTTP(w, req)
	})
}

// Blocks returns the number of refused (blocked or challenged) requests
// per rule.
func (l *Limiter) Blocks() map[string]int64 {
	out := map[string]int64{}
	for _, r := range l.rules {
		out[r.Name] = r.blocks.Load()
	}
	return out
}

// FailOpen returns how many rule checks were allowed because the shared
// counters (Redis) could not be reached in time.
func (l *Limiter) FailOpen() int64 { return l.failOpen.Load() }

// Challenged returns how many requests got the challenge page.
func (l *Limiter) Challenged() int64 { return l.challenged.Load() }
