package proxy

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httputil"
	"sync"
	"sync/atomic"
	"time"

	"github.com/peakshop/peakshop/internal/edge/reqid"
)

// Config is the whole load balancer: its pools and the routes onto them.
// With no routes, everything goes to the first pool.
type Config struct {
	Pools  []PoolConfig
	Routes []Route
	// TrustForwarded keeps an incoming X-Forwarded-For and appends to it;
	// leave it off when the edge is the first hop, or clients can forge it.
	TrustForwarded bool
}

// errRouteDeadline is the cause of a request context that ran out of its
// route's (or pool's) time: the target's fault, unlike a client leaving.
// The transport returns the cause, so it must still read as a deadline.
var errRouteDeadline = fmt.Errorf("proxy: upstream missed the route deadline: %w", context.DeadlineExceeded)

// ErrNoTarget means the chosen pool had no target able to take the request.
var ErrNoTarget = errors.New("proxy: no available target")

// Proxy is an http.Handler that balances requests over upstream pools.
type Proxy struct {
	pools  map[string]*Pool
	order  []*Pool
	routes atomic.Pointer[[]*route]
	rp     *httputil.ReverseProxy
	logger *slog.Logger
	cfg    Config
}

type poolKey struct{}

// New builds a Proxy; call Run to start health checks.
func New(cfg Config, logger *slog.Logger) (*Proxy, error) {
	if len(cfg.Pools) == 0 {
		return nil, errors.New("proxy: no pools")
	}
	p := &Proxy{pools: map[string]*Pool{}, logger: logger, cfg: cfg}
	for _, pc := range cfg.Pools {
		if _, dup := p.pools[pc.Name]; dup {
			return nil, fmt.Errorf("proxy: duplicate pool %q", pc.Name)
		}
		pool, err := NewPool(pc, logger)
		if err != nil {
			return nil, err
		}
		p.pools[pc.Name] = pool
		p.order = append(p.order, pool)
	}
	routes := cfg.Routes
	if len(routes) == 0 {
		routes = []Route{{Name: "default", Splits: []Split{{Pool: cfg.Pools[0].Name, Weight: 1}}}}
	}
	if err := p.SetRoutes(routes); err != nil {
		return nil, err
	}
	p.rp = &httputil.ReverseProxy{
		Rewrite:       p.rewrite,
		Transport:     balancer{p},
		FlushInterval: -1, // stream as the upstream writes; the cache buffers what it needs
		ErrorHandler:  p.errorHandler,
		ErrorLog:      slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
	return p, nil
}

// SetRoutes replaces the routing table atomically, for example to shift a
// canary's weight.
func (p *Proxy) SetRoutes(routes []Route) error {
	compiled, err := compileRoutes(routes, p.pools)
	if err != nil {
		return err
	}
	p.routes.Store(&compiled)
	return nil
}

// Routes returns the current routing table.
func (p *Proxy) Routes() []Route {
	var out []Route
	for _, r := range *p.routes.Load() {
		out = append(out, r.Route)
	}
	return out
}

// Pool returns a pool by name.
func (p *Proxy) Pool(name string) (*Pool, bool) {
	pool, ok := p.pools[name]
	return pool, ok
}

// Pools returns the pools in configuration order.
func (p *Proxy) Pools() []*Pool { return p.order }

// Run runs the health checks of every pool until ctx is done.
func (p *Proxy) Run(ctx context.Context) error {
	var wg sync.WaitGroup
	for _, pool := range p.order {
		wg.Go(func() { pool.RunHealthChecks(ctx) })
	}
	wg.Wait()
	return nil
}

// Close releases idle upstream connections.
func (p *Proxy) Close() {
	for _, pool := range p.order {
		pool.Close()
	}
}

// ServeHTTP routes the request to a pool and proxies it.
func (p *Proxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var pool *Pool
	var deadline time.Duration
	for _, rt := range *p.routes.Load() {
		if rt.Match.matches(r) {
			pool, deadline = rt.pick(), rt.Timeout
			break
		}
	}
	if pool == nil {
		reqid.Reject(w, r, http.StatusNotFound, 0)
		return
	}
	if deadline == 0 {
		deadline = pool.cfg.Timeouts.Request
	}
	ctx, cancel := context.WithTimeoutCause(r.Context(), deadline, errRouteDeadline)
	defer cancel()
	ctx = context.WithValue(ctx, poolKey{}, pool)
	p.rp.ServeHTTP(w, r.WithContext(ctx))
}

func (p *Proxy) rewrite(pr *httputil.ProxyRequest) {
	if p.cfg.TrustForwarded {
		pr.Out.Header["X-Forwarded-For"] = pr.In.Header["X-Forwarded-For"]
	}
	pr.SetXForwarded()
	// The balancer fills in the target; keep the client's Host so virtual
	// hosting at the origin works.
	pr.Out.URL.Scheme = "http"
	pr.Out.URL.Host = "upstream.invalid"
	pr.Out.Host = pr.In.Host
}

func (p *Proxy) errorHandler(w http.ResponseWriter, r *http.Request, err error) {
	status := http.StatusBadGateway
	switch {
	case errors.Is(err, ErrNoTarget):
		status = http.StatusServiceUnavailable
	case errors.Is(err, context.DeadlineExceeded) || isTimeout(err):
		// The route's deadline, or the pool's response-header timeout
		// (a net.Error, not the context's error): both are the upstream
		// being too slow, which is a 504, not a 502.
		status = http.StatusGatewayTimeout
	case errors.Is(err, context.Canceled):
		// The client went away; nobody reads this, but log at debug only.
		p.logger.Debug("client gone", "request_id", reqid.From(r), "path", r.URL.Path)
		w.WriteHeader(499)
		return
	}
	p.logger.Warn("upstream error", "request_id", reqid.From(r), "method", r.Method, "path", r.URL.Path, "status", status, "err", err)
	retry := 0
	if status == http.StatusServiceUnavailable {
		retry = 1
	}
	reqid.Reject(w, r, status, retry)
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// balancer is the ReverseProxy's transport: it picks a target per attempt,
// counts outstanding requests and outcomes, and retries an idempotent
// request once on another target when the first attempt failed without a
// response (so no byte has reached the client yet).
type balancer struct{ p *Proxy }

func (b balancer) RoundTrip(req *http.Request) (*http.Response, error) {
	pool, _ := req.Context().Value(poolKey{}).(*Pool)
	if pool == nil {
		return nil, errors.New("proxy: request without pool")
	}
	var tried *Target
	for attempt := 0; ; attempt++ {
		t := pool.pick(tried)
		if t == nil {
			return nil, fmt.Errorf("%w in pool %s", ErrNoTarget, pool.name)
		}
		out := req
		if attempt > 0 {
			out = req.Clone(req.Context())
		}
		out.URL.Scheme, out.URL.Host = t.URL.Scheme, t.URL.Host
		t.inflight.Add(1)
		start := time.Now()
		resp, err := pool.transport.RoundTrip(out)
		if err != nil {
			t.inflight.Add(-1)
			if targetsFault(req.Context()) {
				pool.observe(t, true)
			}
			if attempt == 0 && retryable(req) {
				b.p.logger.Info("retrying on another target", "request_id", reqid.From(req), "target", t.URL.String(), "err", err)
				tried = t
				continue
			}
			return nil, fmt.Errorf("target %s: %w", t.URL, err)
		}
		t.observeLatency(time.Since(start))
		pool.observe(t, resp.StatusCode >= 500)
		if resp.StatusCode == http.StatusSwitchingProtocols {
			// Upgraded connections need the raw io.ReadWriteCloser body;
			// count them as done once switched.
			t.inflight.Add(-1)
			return resp, nil
		}
		resp.Body = &trackedBody{ReadCloser: resp.Body, t: t}
		return resp, nil
	}
}

// targetsFault reports whether a failed attempt counts against its target
// for outlier ejection: a connection error or a missed route deadline
// does; a client that left does not. A target that always answers after
// the deadline would otherwise never be ejected, and every request picked
// for it would wait the whole deadline for its 504.
func targetsFault(ctx context.Context) bool {
	return ctx.Err() == nil || errors.Is(context.Cause(ctx), errRouteDeadline)
}

// retryable reports whether a failed attempt may be replayed: the method
// must be idempotent and there must be no body to replay, and the client
// must still be waiting.
func retryable(req *http.Request) bool {
	switch req.Method {
	case http.MethodGet, http.MethodHead, http.MethodOptions, http.MethodTrace, http.MethodPut, http.MethodDelete:
	default:
		return false
	}
	if req.Body != nil && req.Body != http.NoBody {
		return false
	}
	return req.Context().Err() == nil
}

// trackedBody keeps the request outstanding on its target until the
// response body is closed, which is what "least outstanding" must count.
type trackedBody struct {
	io.ReadCloser
	t    *Target
	once sync.Once
}

func (b *trackedBody) Close() error {
	b.once.Do(func() { b.t.inflight.Add(-1) })
	return b.ReadCloser.Close()
}
