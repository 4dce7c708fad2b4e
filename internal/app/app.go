package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/peakshop/peakshop/internal/api"
	"github.com/peakshop/peakshop/internal/domain/account"
	"github.com/peakshop/peakshop/internal/domain/order"
	"github.com/peakshop/peakshop/internal/edge"
	"github.com/peakshop/peakshop/internal/edge/cork"
	"github.com/peakshop/peakshop/internal/payments/simulator"
	"github.com/peakshop/peakshop/internal/platform/problem"
	"github.com/peakshop/peakshop/internal/storage/sqlstore"
	"github.com/peakshop/peakshop/internal/telemetry"
	"github.com/peakshop/peakshop/internal/telemetry/alarm"
	"github.com/peakshop/peakshop/internal/telemetry/console"
	"github.com/peakshop/peakshop/internal/web"
)

// App is a running shop: its store, services and HTTP server.
type App struct {
	cfg    Config
	logger *slog.Logger
	Store  *sqlstore.Store
	Orders *order.Service
	// Payment is the payment simulator when it is the gateway (its knobs
	// are the tests' and chaos control's), nil with --payments=stripe.
	Payment  *simulator.Simulator
	payments *payments
	// Telemetry is the registry and tracing; Alarms the alarm engine (nil
	// with instrumentation off).
	Telemetry *telemetry.Telemetry
	Alarms    *alarm.Engine
	console   *console.Console
	handler   http.Handler
	ln        net.Listener
	pipeline  *pipeline  // nil with Config.Pipeline.Off
	edge      *edge.Edge // the in-process front door; nil with --edge=false
	// purgeStorefront drops the storefront's rendered pages.
	purgeStorefront func()
	chaos           *chaosControl // loopback payment-fault control; nil without --chaos-addr
}

// New opens the store (migrating and seeding as configured), builds the
// services and binds the listen address, so Addr is known before Run.
// Messages meant for the operator (a generated admin token) go to out.
func New(ctx context.Context, cfg Config, logger *slog.Logger, out io.Writer) (_ *App, err error) {
	a := &App{cfg: cfg, logger: logger}
	if a.Telemetry, logger, err = setupTelemetry(ctx, cfg.Telemetry, logger); err != nil {
		return nil, err
	}
	a.logger = logger
	if a.Store, err = OpenStore(ctx, cfg.DSN(), cfg.Currency, logger); err != nil {
		return nil, err
	}
	defer func() {
		if err != nil {
			a.Store.Close()
		}
	}()
	if cfg.Migrate {
		if err = a.Store.Migrate(ctx); err != nil {
			return nil, fmt.Errorf("migrate: %w", err)
		}
	}
	if cfg.Demo {
		if _, err = SeedDemo(ctx, a.Store, cfg.Currency, logger); err != nil {
			return nil, err
		}
	}
	admin, err := setupAdmin(ctx, a.Store, cfg.AdminToken, out)
	if err != nil {
		return nil, err
	}
	secret, err := orderSecret(ctx, a.Store)
	if err != nil {
		return nil, err
	}
	if a.payments, err = openPayments(ctx, cfg, logger); err != nil {
		return nil, err
	}
	defer func() {
		if err != nil {
			_ = a.payments.close()
		}
	}()
	a.Payment = a.payments.sim
	a.Orders = order.NewService(a.Store, a.payments.gateway, order.Config{Currency: cfg.Currency, Provider: a.payments.provider, Secret: secret,
		Queued: cfg.Pipeline.Queued}, logger)
	if !cfg.Pipeline.Off {
		cfg.Pipeline.tracing = busTracing(cfg.Telemetry, a.Telemetry)
		if a.pipeline, err = startPipeline(ctx, cfg, a.Store, a.payments.gateway, a.purgeCatalog, logger); err != nil {
			return nil, err
		}
		defer func() {
			if err != nil {
				_ = a.pipeline.run(ctx)()
			}
		}()
	}

	reg := a.Telemetry.Registry
	var metrics *api.Metrics
	if !cfg.Telemetry.Off {
		metrics = api.NewMetrics(reg)
	}
	srv := api.New(api.Deps{
		Catalog: a.Store, Carts: a.Store, Orders: a.Orders, Promos: a.Store, Currency: cfg.Currency,
		IsAdmin: admin.IsAdmin, Ready: a.Store.Ping, Metrics: metrics, Logger: logger,
		ProductCacheTTL: cfg.ProductCacheTTL, Purge: a.purgeCatalog, StripeWebhooks: a.payments.webhooks,
	})
	mux := http.NewServeMux()
	srv.Register(mux)
	mux.Handle("GET /metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{Registry: reg}))
	mux.Handle("GET /images/products/{name}", web.PlaceholderImages(logger))
	accounts := account.NewService(a.Store, a.Store, account.Config{}, logger)
	loc, err := time.LoadLocation(cfg.Timezone)
	if err != nil {
		return nil, fmt.Errorf("--timezone %q: want an IANA time zone such as Europe/Berlin: %w", cfg.Timezone, err)
	}
	storefront, err := web.New(web.Deps{Catalog: a.Store, Carts: a.Store, Orders: a.Orders, Quotes: a.Store,
		Accounts: accounts, Currency: cfg.Currency, Location: loc,
		Secret: secret, Logger: logger, PageCacheTTL: cfg.ProductCacheTTL,
		Admin: &web.AdminDeps{Admins: account.NewAdmins(accounts, a.Store, account.AdminConfig{}), Catalog: a.Store, Schedule: a.Store, TOTP: a.Store, Purge: a.purgeCatalog}})
	if err != nil {
		return nil, err
	}
	mux.Handle("/", storefront)
	a.purgeStorefront = storefront.Purge
	a.handler = recoverPanics(mux, logger)
	if !cfg.Telemetry.Off {
		if err = a.mountObservability(mux, reg, admin.IsAdmin, loc); err != nil {
			return nil, err
		}
		a.handler = a.Telemetry.Middleware(a.handler)
	}
	if cfg.Edge.On {
		if a.edge, err = frontDoor(cfg.Edge, a.handler, logger); err != nil {
			return nil, err
		}
		a.handler = edgeHandler(cfg.Edge, a.edge)
	}
	if !cfg.Telemetry.Off {
		if err = a.registerCollectors(reg); err != nil {
			return nil, err
		}
	}

	if a.ln, err = net.Listen("tcp", cfg.Addr); err != nil {
		return nil, fmt.Errorf("listen on %s: %w", cfg.Addr, err)
	}
	if a.chaos, err = startChaosControl(cfg, admin.IsAdmin, a.Payment, logger); err != nil {
		a.ln.Close()
		return nil, err
	}
	return a, nil
}

// Addr is the address the shop listens on (useful with port 0).
func (a *App) Addr() string { return a.ln.Addr().String() }

// Handler is the shop's HTTP handler, for tests and benchmarks in-process.
func (a *App) Handler() http.Handler { return a.handler }

// Run serves until ctx is cancelled, then drains in-flight requests for up to
// the shutdown timeout and closes the store last.
func (a *App) Run(ctx context.Context) error {
	hs := &http.Server{Handler: a.handler, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 30 * time.Second,
		WriteTimeout: 60 * time.Second, IdleTimeout: 120 * time.Second, ErrorLog: slog.NewLogLogger(a.logger.Handler(), slog.LevelWarn),
		ConnContext: cork.ConnContext}
	recoverCtx, stopRecovery := context.WithCancel(context.WithoutCancel(ctx))
	recovered := make(chan struct{})
	go func() { defer close(recovered); a.recoverLoop(recoverCtx) }()
	observed := a.runObservability(recoverCtx)
	stopEdge := a.runEdge(recoverCtx)
	stopScheduler := a.runScheduler(recoverCtx) // sale scheduler: scheduler.go
	stopHousekeeping := a.runHousekeeping(recoverCtx)
	stopPipeline := func() error { return nil }
	if a.pipeline != nil {
		stopPipeline = a.pipeline.run(recoverCtx)
	}

	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(a.publicListener()) }()
	a.logger.Info("peakshop serving", "addr", "http://"+a.Addr(), "config", a.cfg.String())

	var err error
	select {
	case err = <-errc:
	case <-ctx.Done():
		a.logger.Info("shutting down: draining in-flight requests", "timeout", a.cfg.ShutdownTimeout)
		sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), a.cfg.ShutdownTimeout)
		err = hs.Shutdown(sctx)
		cancel()
	}
	stopRecovery()
	<-recovered
	observed()
	stopScheduler()
	stopHousekeeping()
	stopEdge()
	a.chaos.close()
	perr := stopPipeline()
	if errors.Is(err, http.ErrServerClosed) {
		err = nil
	}
	flushCtx, cancelFlush := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancelFlush()
	return errors.Join(err, perr, a.payments.close(), a.Store.Close(), a.Telemetry.Shutdown(flushCtx))
}

// recoverLoop settles orders orphaned by a crash: at start and then every
// 30 seconds, since another instance may die at any time.
func (a *App) recoverLoop(ctx context.Context) {
	t := time.NewTicker(30 * time.Second)
	defer t.Stop()
	for {
		if n, err := a.Orders.Recover(ctx); err != nil && ctx.Err() == nil {
			a.logger.Error("order recovery failed", "err", err)
		} else if n > 0 {
			a.logger.Info("order recovery settled orphaned orders", "count", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

func recoverPanics(next http.Handler, logger *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				logger.ErrorContext(r.Context(), "panic serving request", "path", r.URL.Path, "panic", v)
				problem.Write(w, problem.New(http.StatusInternalServerError, "something went wrong on our side; it has been logged"))
			}
		}()
		next.ServeHTTP(w, r)
	})
}
