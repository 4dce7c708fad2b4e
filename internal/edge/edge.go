package edge

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"sync"
	"sync/atomic"
	"time"

	"github.com/peakshop/peakshop/internal/edge/cache"
	"github.com/peakshop/peakshop/internal/edge/compress"
	"github.com/peakshop/peakshop/internal/edge/cork"
	"github.com/peakshop/peakshop/internal/edge/imaging"
	"github.com/peakshop/peakshop/internal/edge/proxy"
	"github.com/peakshop/peakshop/internal/edge/ratelimit"
	"github.com/peakshop/peakshop/internal/edge/reqid"
	"github.com/peakshop/peakshop/internal/edge/shed"
	"github.com/peakshop/peakshop/internal/edge/waf"
	"github.com/peakshop/peakshop/internal/edge/waitroom"
)

// Edge is the assembled front door.
type Edge struct {
	cfg    Config
	logger *slog.Logger

	proxy   *proxy.Proxy
	cache   *cache.Cache
	guard   *waf.Guard
	rules   *waf.RuleSet
	limiter *ratelimit.Limiter
	shedder *shed.Shedder
	room    *waitroom.Room

	handler http.Handler
	admin   http.Handler
	tls     *tls.Config

	mu        sync.Mutex
	addr      net.Addr // bound public address once Run listens
	adminAddr net.Addr
	ready     chan struct{}
	running   atomic.Bool
	closeOnce sync.Once
}

// New builds the edge from cfg. Nothing listens until Run; Handler can be
// used at once.
func New(cfg Config, logger *slog.Logger) (*Edge, error) {
	e := &Edge{cfg: cfg, logger: logger, ready: make(chan struct{})}
	if err := e.build(); err != nil {
		e.Close()
		return nil, err
	}
	return e, nil
}

func (e *Edge) build() error {
	cfg := e.cfg
	var err error
	if e.tls, err = cfg.TLS.tlsConfig(); err != nil {
		return err
	}
	origin := cfg.Origin
	if origin == nil {
		cfg.Proxy.TrustForwarded = cfg.TrustForwarded
		if e.proxy, err = proxy.New(cfg.Proxy, e.logger.With("component", "proxy")); err != nil {
			return fmt.Errorf("edge: %w", err)
		}
		origin = e.proxy
	}
	h := origin

	// Built innermost first: the rule set sees only what reaches the origin.
	rsCfg := cfg.WAF
	rsCfg.ExemptPaths = append(rsCfg.ExemptPaths, cfg.HealthPaths...)
	rsCfg.TrustForwarded = cfg.TrustForwarded
	if e.rules, err = waf.NewRuleSet(rsCfg, e.logger.With("component", "waf")); err != nil {
		return fmt.Errorf("edge: %w", err)
	}
	h = e.rules.Middleware(h)
	if cfg.CompressEnabled {
		h = compress.New(cfg.Compress).Middleware(h)
	}
	if cfg.ImagingEnabled {
		rz, err := imaging.New(cfg.Imaging, e.logger.With("component", "imaging"))
		if err != nil {
			return fmt.Errorf("edge: %w", err)
		}
		h = rz.Middleware(h)
	}
	if cfg.ShedEnabled {
		sc := cfg.Shed
		sc.ExemptPaths = append(sc.ExemptPaths, cfg.HealthPaths...)
		if e.shedder, err = shed.New(sc, e.logger.With("component", "shed")); err != nil {
			return fmt.Errorf("edge: %w", err)
		}
		h = e.shedder.Middleware(h)
	}
	if cfg.CacheEnabled {
		cc := cfg.Cache
		if cfg.ShedEnabled && cc.OverloadHeader == "" {
			cc.OverloadHeader = shed.Header
		}
		if e.cache, err = cache.New(cc, e.logger.With("component", "cache")); err != nil {
			return fmt.Errorf("edge: %w", err)
		}
		h = e.cache.Middleware(h)
	}
	wr := cfg.WaitRoom
	wr.ExemptPrefixes = append(wr.ExemptPrefixes, cfg.HealthPaths...)
	if e.room, err = waitroom.New(wr, e.logger.With("component", "waitroom")); err != nil {
		return fmt.Errorf("edge: %w", err)
	}
	h = e.room.Middleware(h)
	if cfg.RateRulesEnabled {
		rl := cfg.RateLimit
		rl.ExemptPaths = append(rl.ExemptPaths, cfg.HealthPaths...)
		rl.TrustForwarded = cfg.TrustForwarded
		if len(rl.Challenge.Secret) == 0 {
			// One edge secret: instances that share a waiting room
			// secret accept each other's challenge passes too.
			rl.Challenge.Secret = cfg.WaitRoom.Secret
		}
		if e.limiter, err = ratelimit.New(rl, e.logger.With("component", "ratelimit")); err != nil {
			return fmt.Errorf("edge: %w", err)
		}
		h = e.limiter.Middleware(h)
	}
	gc := cfg.Guard
	gc.ExemptPaths = append(gc.ExemptPaths, cfg.HealthPaths...)
	gc.TrustForwarded = cfg.TrustForwarded
	if e.guard, err = waf.NewGuard(gc, e.logger.With("component", "guard")); err != nil {
		return fmt.Errorf("edge: %w", err)
	}
	h = e.guard.Middleware(h)
	e.handler = reqid.Middleware(h)
	e.admin = e.adminHandler()
	return nil
}

// Handler is the public handler: put it in front of the shop.
func (e *Edge) Handler() http.Handler { return e.handler }

// AdminHandler serves the admin API; mount it on loopback only.
func (e *Edge) AdminHandler() http.Handler { return e.admin }

// Proxy returns the load balancer, nil when the edge wraps an in-process
// origin.
func (e *Edge) Proxy() *proxy.Proxy { return e.proxy }

// Cache returns the cache, nil when disabled (for purges from the app).
func (e *Edge) Cache() *cache.Cache { return e.cache }

// Addr returns the bound public address once Run is listening (useful with
// port 0), or nil.
func (e *Edge) Addr() net.Addr {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.addr
}

// AdminAddress returns the bound admin address once Run is listening, or nil.
func (e *Edge) AdminAddress() net.Addr {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.adminAddr
}

// Ready is closed once Run's listeners are bound.
func (e *Edge) Ready() <-chan struct{} { return e.ready }

// Run listens on Addr and AdminAddr (those set), runs health checks, and
// serves until ctx is cancelled, then shuts down gracefully.
func (e *Edge) Run(ctx context.Context) error {
	if !e.running.CompareAndSwap(false, true) {
		return errors.New("edge: Run called twice")
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var servers []*http.Server
	var lns []net.Listener
	listen := func(addr string, h http.Handler, tlsCfg *tls.Config) (net.Addr, error) {
		ln, err := net.Listen("tcp", addr)
		if err != nil {
			return nil, fmt.Errorf("edge: listen %s: %w", addr, err)
		}
		srv := newServer(h, e.cfg.Server, tlsCfg, e.logger)
		if tlsCfg != nil {
			ln = tls.NewListener(ln, tlsCfg)
		} else if e.cfg.CorkHits {
			// Cache hits go out in one write system call; see package cork.
			ln = cork.Listener{Listener: ln}
		}
		servers = append(servers, srv)
		lns = append(lns, ln)
		return ln.Addr(), nil
	}
	var err error
	var addr, adminAddr net.Addr
	if e.cfg.Addr != "" {
		if addr, err = listen(e.cfg.Addr, e.handler, e.tls); err != nil {
			return err
		}
	}
	if e.cfg.AdminAddr != "" {
		if adminAddr, err = listen(e.cfg.AdminAddr, e.admin, nil); err != nil {
			for _, ln := range lns {
				ln.Close()
			}
			return err
		}
		if ap, perr := netip.ParseAddrPort(adminAddr.String()); perr == nil && !ap.Addr().IsLoopback() {
			e.logger.Warn("admin API is listening on a non-loopback address; anyone who reaches it can drain pools and purge the cache", "addr", adminAddr)
		}
	}
	e.mu.Lock()
	e.addr, e.adminAddr = addr, adminAddr
	e.mu.Unlock()
	close(e.ready)
	e.logger.Info("edge listening", "addr", addr, "admin", adminAddr, "tls", e.tls != nil)

	errc := make(chan error, len(servers))
	var wg sync.WaitGroup
	for i, srv := range servers {
		wg.Go(func() {
			if err := srv.Serve(lns[i]); err != nil && !errors.Is(err, http.ErrServerClosed) {
				errc <- err
				cancel()
			}
		})
	}
	if e.proxy != nil {
		wg.Go(func() { _ = e.proxy.Run(ctx) })
	}
	<-ctx.Done()
	timeout := e.cfg.ShutdownTimeout
	if timeout == 0 {
		timeout = 10 * time.Second
	}
	sctx, scancel := context.WithTimeout(context.WithoutCancel(ctx), timeout)
	defer scancel()
	for _, srv := range servers {
		if err := srv.Shutdown(sctx); err != nil {
			srv.Close()
		}
	}
	wg.Wait()
	select {
	case err := <-errc:
		return fmt.Errorf("edge: serve: %w", err)
	default:
		return nil
	}
}

// newServer is the HTTP server Run puts on each listener (and the
// loopback benchmark measures): HTTP/1.1 plus HTTP/2 over TLS, or h2c
// with prior knowledge on plain listeners.
func newServer(h http.Handler, t ServerTimeouts, tlsCfg *tls.Config, logger *slog.Logger) *http.Server {
	t = t.withDefaults()
	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: t.ReadHeader,
		ReadTimeout:       t.Read,
		WriteTimeout:      t.Write,
		IdleTimeout:       t.Idle,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelDebug),
		TLSConfig:         tlsCfg,
		ConnContext:       cork.ConnContext,
	}
	srv.Protocols = new(http.Protocols)
	srv.Protocols.SetHTTP1(true)
	if tlsCfg != nil {
		srv.Protocols.SetHTTP2(true)
	} else {
		srv.Protocols.SetUnencryptedHTTP2(true) // h2c with prior knowledge
	}
	return srv
}

// Close releases what New built (cache goroutines, idle connections). It
// is safe to call more than once.
func (e *Edge) Close() {
	e.closeOnce.Do(func() {
		if e.cache != nil {
			e.cache.Close()
		}
		if e.limiter != nil {
			e.limiter.Close()
		}
		if e.proxy != nil {
			e.proxy.Close()
		}
	})
}
