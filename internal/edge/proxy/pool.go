package proxy

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// PoolConfig describes one upstream pool.
type PoolConfig struct {
	Name    string
	Targets []string
	// Policy is round_robin (default), least_requests or p2c_latency.
	Policy      string
	HealthCheck HealthCheckConfig
	Outlier     OutlierConfig
	Timeouts    Timeouts
}

// OutlierConfig controls passive ejection: after Consecutive failures (5xx
// responses, connection errors, or no response headers before the route's
// deadline) a target gets no requests for CoolOff.
type OutlierConfig struct {
	Consecutive int           // 0 means 5; negative disables ejection
	CoolOff     time.Duration // 0 means 30s
}

// Timeouts bound every hop to the upstream.
type Timeouts struct {
	Dial           time.Duration // 0 means 2s
	ResponseHeader time.Duration // 0 means 15s
	Request        time.Duration // whole exchange including body; 0 means 60s
	IdleConn       time.Duration // 0 means 90s
}

func (t Timeouts) withDefaults() Timeouts {
	t.Dial = orDefault(t.Dial, 2*time.Second)
	t.ResponseHeader = orDefault(t.ResponseHeader, 15*time.Second)
	t.Request = orDefault(t.Request, 60*time.Second)
	t.IdleConn = orDefault(t.IdleConn, 90*time.Second)
	return t
}

func orDefault[T comparable](v, def T) T {
	var zero T
	if v == zero {
		return def
	}
	return v
}

// ErrUnknownTarget is returned when draining a target the pool does not have.
var ErrUnknownTarget = errors.New("proxy: unknown target")

// Pool is a named set of targets behind one selection policy.
type Pool struct {
	name      string
	cfg       PoolConfig
	selector  Selector
	transport *http.Transport
	logger    *slog.Logger

	mu      sync.Mutex // serialises writers of targets
	targets atomic.Pointer[[]*Target]
}

// NewPool builds a pool; targets may be empty and added later.
func NewPool(cfg PoolConfig, logger *slog.Logger) (*Pool, error) {
	if cfg.Name == "" {
		return nil, errors.New("proxy: pool needs a name")
	}
	sel, err := NewSelector(cfg.Policy)
	if err != nil {
		return nil, fmt.Errorf("pool %s: %w", cfg.Name, err)
	}
	cfg.Timeouts = cfg.Timeouts.withDefaults()
	cfg.HealthCheck = cfg.HealthCheck.withDefaults()
	cfg.Outlier.Consecutive = orDefault(cfg.Outlier.Consecutive, 5)
	cfg.Outlier.CoolOff = orDefault(cfg.Outlier.CoolOff, 30*time.Second)
	p := &Pool{
		name:      cfg.Name,
		cfg:       cfg,
		selector:  sel,
		transport: newTransport(cfg.Timeouts),
		logger:    logger.With("pool", cfg.Name),
	}
	p.targets.Store(&[]*Target{})
	for _, raw := range cfg.Targets {
		if err := p.Add(raw); err != nil {
			return nil, err
		}
	}
	return p, nil
}

func newTransport(t Timeouts) *http.Transport {
	d := &net.Dialer{Timeout: t.Dial, KeepAlive: 30 * time.Second}
	return &http.Transport{
		Proxy:                 nil, // the edge talks to its upstreams directly, never via env proxies
		DialContext:           d.DialContext,
		ForceAttemptHTTP2:     true,
		MaxIdleConns:          1024,
		MaxIdleConnsPerHost:   256, // a busy edge reuses connections instead of burning ports
		IdleConnTimeout:       t.IdleConn,
		TLSHandshakeTimeout:   t.Dial,
		ResponseHeaderTimeout: t.ResponseHeader,
		ExpectContinueTimeout: time.Second,
	}
}

// Name returns the pool's name.
func (p *Pool) Name() string { return p.name }

// Targets returns a snapshot of the pool's targets.
func (p *Pool) Targets() []*Target { return *p.targets.Load() }

func parseTarget(raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("proxy: target %q: %w", raw, err)
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("proxy: target %q: want http(s)://host:port", raw)
	}
	return &url.URL{Scheme: u.Scheme, Host: u.Host}, nil
}

// Add puts a target in the pool; adding one that is already there (even
// draining) makes it take new requests again.
func (p *Pool) Add(raw string) error {
	u, err := parseTarget(raw)
	if err != nil {
		return err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	cur := p.Targets()
	for _, t := range cur {
		if t.URL.String() == u.String() {
			t.draining.Store(false)
			return nil
		}
	}
	next := append(slices.Clone(cur), newTarget(u))
	p.targets.Store(&next)
	p.logger.Info("target added", "target", u.String())
	return nil
}

// Drain stops sending new requests to the target, waits until its
// outstanding requests finish or the deadline passes, then removes it. It
// returns how many requests were still outstanding at removal.
func (p *Pool) Drain(ctx context.Context, raw string, deadline time.Duration) (int64, error) {
	u, err := parseTarget(raw)
	if err != nil {
		return 0, err
	}
	var t *Target
	for _, c := range p.Targets() {
		if c.URL.String() == u.String() {
			t = c
		}
	}
	if t == nil {
		return 0, fmt.Errorf("%w: %s", ErrUnknownTarget, u)
	}
	t.draining.Store(true)
	p.logger.Info("target draining", "target", u.String(), "deadline", deadline)
	ctx, cancel := context.WithTimeout(ctx, deadline)
	defer cancel()
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for t.Inflight() > 0 {
		select {
		case <-ctx.Done():
			goto remove
		case <-tick.C:
		}
	}
remove:
	p.remove(t)
	left := t.Inflight()
	p.logger.Info("target removed", "target", u.String(), "inflight_left", left)
	return left, nil
}

func (p *Pool) remove(t *Target) {
	p.mu.Lock()
	defer p.mu.Unlock()
	next := slices.DeleteFunc(slices.Clone(p.Targets()), func(c *Target) bool { return c == t })
	p.targets.Store(&next)
}

// pick selects an available target other than exclude. When nothing is
// available it falls back to healthy, non-draining targets even if ejected
// (panic mode, as Envoy does): passive ejection must not empty a pool.
func (p *Pool) pick(exclude *Target) *Target {
	now := time.Now()
	all := p.Targets()
	cands := make([]*Target, 0, len(all))
	for _, t := range all {
		if t != exclude && t.Available(now) {
			cands = append(cands, t)
		}
	}
	if len(cands) == 0 {
		for _, t := range all {
			if t != exclude && t.healthy.Load() && !t.draining.Load() {
				cands = append(cands, t)
			}
		}
	}
	return p.selector.Select(cands)
}

// observe records one exchange's outcome for passive outlier ejection.
func (p *Pool) observe(t *Target, failed bool) {
	t.requests.Add(1)
	if !failed {
		t.consecFails.Store(0)
		return
	}
	t.failures.Add(1)
	n := t.consecFails.Add(1)
	if p.cfg.Outlier.Consecutive > 0 && int(n) >= p.cfg.Outlier.Consecutive {
		t.consecFails.Store(0)
		t.ejectedUntil.Store(time.Now().Add(p.cfg.Outlier.CoolOff).UnixNano())
		p.logger.Warn("target ejected", "target", t.URL.String(), "consecutive_failures", n, "cool_off", p.cfg.Outlier.CoolOff)
	}
}

// PoolStatus is a pool's state as the admin API reports it.
type PoolStatus struct {
	Name    string         `json:"name"`
	Policy  string         `json:"policy"`
	Targets []TargetStatus `json:"targets"`
}

// Status reports the pool's live state.
func (p *Pool) Status() PoolStatus {
	now := time.Now()
	st := PoolStatus{Name: p.name, Policy: orDefault(p.cfg.Policy, PolicyRoundRobin), Targets: []TargetStatus{}}
	for _, t := range p.Targets() {
		st.Targets = append(st.Targets, t.status(now))
	}
	return st
}

// Close releases idle upstream connections.
func (p *Pool) Close() { p.transport.CloseIdleConnections() }
