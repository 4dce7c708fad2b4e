package waf

import (
	"fmt"
	"log/slog"
	"net/http"
	"net/netip"
	"regexp"
	"slices"
	"strings"
	"sync"

	"github.com/peakshop/peakshop/internal/edge/clientip"
	"github.com/peakshop/peakshop/internal/edge/reqid"
)

// GuardConfig holds the cheap rules.
type GuardConfig struct {
	// Allow lists addresses or CIDRs that skip every other rule (office,
	// monitoring); Deny lists ones that are always refused.
	Allow, Deny []string
	// Match rules refuse requests by path or header pattern.
	Match []MatchRule
	// BodyLimits cap request bodies per path prefix (longest prefix wins).
	BodyLimits []BodyLimit
	// ExemptPaths (exact) are never blocked: the health checks.
	ExemptPaths []string
	// TrustForwarded takes the client address from X-Forwarded-For.
	TrustForwarded bool
}

// MatchRule refuses a request when its path, or the named header, matches
// the regular expression.
type MatchRule struct {
	Name    string `json:"name"`
	Header  string `json:"header"` // empty: match the path
	Pattern string `json:"pattern"`
}

// BodyLimit caps the request body of paths under Prefix.
type BodyLimit struct {
	Prefix   string `json:"prefix"`
	MaxBytes int64  `json:"max_bytes"`
}

type compiledMatch struct {
	name, header string
	re           *regexp.Regexp
}

// Guard enforces the cheap rules.
type Guard struct {
	allow, deny []netip.Prefix
	match       []compiledMatch
	limits      []BodyLimit
	exempt      []string
	trustXFF    bool
	logger      *slog.Logger
	counts      counters
}

// NewGuard validates and compiles the rules.
func NewGuard(cfg GuardConfig, logger *slog.Logger) (*Guard, error) {
	g := &Guard{exempt: cfg.ExemptPaths, trustXFF: cfg.TrustForwarded, logger: logger, counts: counters{m: map[string]int64{}}}
	var err error
	if g.allow, err = parsePrefixes(cfg.Allow); err != nil {
		return nil, err
	}
	if g.deny, err = parsePrefixes(cfg.Deny); err != nil {
		return nil, err
	}
	for _, m := range cfg.Match {
		re, err := regexp.Compile(m.Pattern)
		if err != nil {
			return nil, fmt.Errorf("waf: rule %q: %w", m.Name, err)
		}
		g.match = append(g.match, compiledMatch{name: m.Name, header: m.Header, re: re})
	}
	g.limits = slices.Clone(cfg.BodyLimits)
	slices.SortFunc(g.limits, func(a, b BodyLimit) int { return len(b.Prefix) - len(a.Prefix) })
	return g, nil
}

func parsePrefixes(list []string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, s := range list {
		if !strings.Contains(s, "/") {
			a, err := netip.ParseAddr(s)
			if err != nil {
				return nil, fmt.Errorf("waf: address %q: %w", s, err)
			}
			out = append(out, netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen()))
			continue
		}
		p, err := netip.ParsePrefix(s)
		if err != nil {
			return nil, fmt.Errorf("waf: prefix %q: %w", s, err)
		}
		out = append(out, p.Masked())
	}
	return out, nil
}

func contains(list []netip.Prefix, a netip.Addr) bool {
	for _, p := range list {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// Middleware applies the rules before next.
func (g *Guard) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if slices.Contains(g.exempt, r.URL.Path) {
			next.ServeHTTP(w, r)
			return
		}
		// The address is parsed only when a list needs it, or for the
		// log line of a block: the limiter behind parses it anyway, and
		// this runs on every request, cache hits included.
		var ip netip.Addr
		if len(g.allow) > 0 || len(g.deny) > 0 {
			ip = clientip.From(r, g.trustXFF)
			if contains(g.allow, ip) {
				next.ServeHTTP(w, r)
				return
			}
		}
		if rule := g.check(r, ip); rule != "" {
			g.block(w, r, clientip.From(r, g.trustXFF), rule)
			return
		}
		for _, l := range g.limits {
			if strings.HasPrefix(r.URL.Path, l.Prefix) {
				if r.ContentLength > l.MaxBytes {
					g.blockStatus(w, r, clientip.From(r, g.trustXFF), "body-limit:"+l.Prefix, http.StatusRequestEntityTooLarge)
					return
				}
				r.Body = http.MaxBytesReader(w, r.Body, l.MaxBytes)
				break
			}
		}
		next.ServeHTTP(w, r)
	})
}

func (g *Guard) check(r *http.Request, ip netip.Addr) string {
	if contains(g.deny, ip) {
		return "ip-deny"
	}
	for _, m := range g.match {
		subject := r.URL.Path
		if m.header != "" {
			subject = r.Header.Get(m.header)
		}
		if m.re.MatchString(subject) {
			return "match:" + m.name
		}
	}
	return ""
}

func (g *Guard) block(w http.ResponseWriter, r *http.Request, ip netip.Addr, rule string) {
	g.blockStatus(w, r, ip, rule, http.StatusForbidden)
}

func (g *Guard) blockStatus(w http.ResponseWriter, r *http.Request, ip netip.Addr, rule string, status int) {
	g.counts.inc(rule)
	g.logger.Warn("waf block", "layer", "guard", "rule", rule, "request_id", reqid.From(r),
		"client", ip.String(), "method", r.Method, "path", r.URL.Path)
	reqid.Reject(w, r, status, 0)
}

// Blocks returns the number of blocks per rule.
func (g *Guard) Blocks() map[string]int64 { return g.counts.snapshot() }

// counters counts blocks per rule name.
type counters struct {
	mu sync.Mutex
	m  map[string]int64
}

func (c *counters) inc(name string) {
	c.mu.Lock()
	c.m[name]++
	c.mu.Unlock()
}

func (c *counters) snapshot() map[string]int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make(map[string]int64, len(c.m))
	for k, v := range c.m {
		out[k] = v
	}
	return out
}
