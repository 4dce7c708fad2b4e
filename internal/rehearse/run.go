package rehearse

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/peakshop/peakshop/internal/app"
	"github.com/peakshop/peakshop/internal/chaos"
	"github.com/peakshop/peakshop/internal/loadgen"
)

// Config is one rehearsal.
type Config struct {
	// Target is a running shop's base URL; "" starts one (Shop).
	Target string
	Shop   ShopConfig
	// For a running shop: what the audit reads and the faults act through.
	DB, NATS, Ledger, AdminToken string
	Controls                     []string

	Scenario   *loadgen.Scenario
	Experiment chaos.Experiment
	Prices     Prices
	// HotStock is the stock each flash-sale SKU gets before the run (0
	// leaves stock alone), so the sale sells out under contention.
	HotStock int
	// Drain bounds the wait for the pipeline to settle every order after
	// the load and the faults end (default 2m).
	Drain time.Duration
	Seed  uint64
	// Out gets the progress lines (nil: none); Logger the JSON logs.
	Out    io.Writer
	Logger *slog.Logger
}

// Run rehearses: start the shop (or use the target), take the baseline,
// run the load and the experiment together while polling the alarms, wait
// for the pipeline to settle, audit, and price the run. An error means the
// rehearsal could not be judged; a judged failure is in Result.Err.
func Run(ctx context.Context, cfg Config) (*Result, error) {
	began := time.Now()
	say := func(format string, a ...any) {
		if cfg.Out != nil {
			fmt.Fprintf(cfg.Out, "rehearse %s "+format+"\n", append([]any{time.Now().Format(time.TimeOnly)}, a...)...)
		}
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Drain <= 0 {
		cfg.Drain = 2 * time.Minute
	}
	res := &Result{Target: cfg.Target, Started: began}
	sh, stop, err := attach(ctx, cfg, res, say)
	if err != nil {
		return nil, err
	}
	defer stop()
	targets, dsn, natsURL, ledger, token, fleet := sh.targets, sh.dsn, sh.nats, sh.ledger, sh.token, sh.fleet
	res.Database = strings.SplitN(dsn, ":", 2)[0]
	if res.Database == "postgresql" {
		res.Database = "postgres"
	}
	exp, skipped := applicable(cfg.Experiment, targets, res.Database == "sqlite")
	for _, s := range skipped {
		say("skipping fault %s", s)
	}
	res.Skipped = skipped

	st, err := app.OpenStore(ctx, dsn, "USD", cfg.Logger)
	if err != nil {
		return nil, fmt.Errorf("rehearse: audit store: %w", err)
	}
	defer st.Close()

	sc := *cfg.Scenario
	if fs := sc.FlashSale; fs != nil && len(fs.Products) == 0 {
		stock := cfg.HotStock
		if token == "" && stock > 0 {
			say("no admin token (PEAKSHOP_ADMIN_TOKEN): the flash sale's stock is left as it is")
			stock = 0
		}
		hot, err := prepareSale(ctx, res.Target, token, fs.HotProducts, stock)
		if err != nil {
			return nil, err
		}
		sale := *fs
		for _, h := range hot {
			sale.Products = append(sale.Products, h.Slug)
		}
		sc.FlashSale, res.Hot = &sale, hot
		say("flash sale on %d products (stock set to %d per SKU; 0: unchanged): %s", len(hot), stock, strings.Join(sale.Products, ", "))
	}
	res.FlashSale = sc.FlashSale
	if res.Baseline, err = TakeBaseline(ctx, st); err != nil {
		return nil, err
	}

	var alarms *alarmPoller
	pollCtx, stopPolling := context.WithCancel(ctx)
	var polled sync.WaitGroup
	if token != "" {
		alarms = newAlarmPoller(res.Target, token, 2*time.Second)
		polled.Go(func() { alarms.run(pollCtx) })
	}
	defer func() { stopPolling(); polled.Wait() }()

	if err := runTogether(ctx, cfg, &sc, exp, targets, res, say); err != nil {
		return nil, err
	}
	if ctx.Err() != nil {
		// Interrupted: the faults are undone and the shop is stopped on
		// the way out; an audit of a run cut short would judge nothing.
		return nil, fmt.Errorf("rehearse: interrupted: %w", ctx.Err())
	}
	res.Faults = Windows(res.Chaos.Events, time.Now())
	res.Scaling = []ScalingRecord{{At: res.Load.Started, Decision: fleetDecision(fleet)}}

	res.Drain = drain(ctx, st, res.Baseline.At, cfg.Drain, say)
	audit := AuditInput{Baseline: res.Baseline, Accepted: res.accepted, Ledger: ledger, Faults: res.Faults, NoDeadLetters: natsURL == ""}
	if natsURL != "" {
		if audit.DeadLetters, err = deadLetters(ctx, natsURL, res.Baseline.At, cfg.Logger); err != nil {
			return nil, err
		}
	}
	if res.Audit, err = RunAudit(ctx, st, audit); err != nil {
		return nil, err
	}
	stopPolling()
	polled.Wait()
	if alarms != nil {
		var n int
		var last string
		res.Alarms, res.Firing, n, last = alarms.result(time.Now())
		if n > 0 {
			res.AlarmErr = fmt.Sprintf("%d polls failed, the last with: %s", n, last)
		}
	}
	for i := range fleet {
		fleet[i].Load = loadOf(fleet[i].Role, res.Load)
	}
	res.Fleet = fleet
	res.Cost = Estimate(cfg.Prices, fleet, time.Duration(res.Load.Seconds*float64(time.Second)))
	res.Verdicts = res.Load.SLO
	res.Seconds = time.Since(began).Seconds()
	res.Passed = res.Err() == nil
	return res, nil
}

// shopEnv is the shop a rehearsal acts on and what it reads it through.
type shopEnv struct {
	targets                  chaos.Targets
	dsn, nats, ledger, token string
	fleet                    []Fleet
}

// attach starts the shop (no Target) or describes the running one, and
// returns the function that stops what it started.
func attach(ctx context.Context, cfg Config, res *Result, say func(string, ...any)) (shopEnv, func(), error) {
	if cfg.Target != "" {
		if cfg.DB == "" {
			return shopEnv{}, nil, errors.New("rehearse: a running shop's audit needs its database (--db)")
		}
		t := chaos.Targets{BaseURL: cfg.Target, Links: map[string]*chaos.Link{}, Processes: map[string]chaos.Process{},
			Controls: cfg.Controls, AdminToken: cfg.AdminToken, NATSURL: cfg.NATS}
		return shopEnv{targets: t, dsn: cfg.DB, nats: cfg.NATS, ledger: cfg.Ledger, token: cfg.AdminToken,
			fleet: []Fleet{{Role: "app", Instances: 1}}}, func() {}, nil
	}
	say("starting the shop: NATS, fault links, serve (edge in front) and a worker")
	shop, err := StartShop(ctx, cfg.Shop)
	if err != nil {
		return shopEnv{}, nil, err
	}
	say("shop ready at %s (data in %s)", shop.BaseURL, shop.DataDir)
	res.Target, res.SelfStarted = shop.BaseURL, true
	env := shopEnv{targets: shop.Targets(), dsn: shop.DSN, nats: shop.NATSURL, ledger: shop.Ledger, token: shop.AdminToken,
		fleet: []Fleet{{Role: "app", Instances: 1}, {Role: "worker", Instances: 1}}}
	if cfg.Shop.NATS == "" {
		env.fleet = append(env.fleet, Fleet{Role: "nats", Instances: 1})
	}
	return env, func() {
		say("stopping the shop")
		if err := shop.Stop(); err != nil {
			cfg.Logger.Warn("stopping the shop", "err", err)
		}
	}, nil
}

// accepted collects the load generator's accepted orders (OnOrder runs on
// many goroutines).
type accepted struct {
	mu  sync.Mutex
	all []loadgen.AcceptedOrder
}

func (a *accepted) add(o loadgen.AcceptedOrder) {
	a.mu.Lock()
	a.all = append(a.all, o)
	a.mu.Unlock()
}

// runTogether runs the load and the experiment side by side, from the same
// moment, and waits for both.
func runTogether(ctx context.Context, cfg Config, sc *loadgen.Scenario, exp chaos.Experiment, t chaos.Targets, res *Result, say func(string, ...any)) error {
	prof, err := sc.Profile.Build(sc.Duration.D(), nil)
	if err != nil {
		return err
	}
	var progress *loadgen.Progress
	if cfg.Out != nil {
		progress = loadgen.NewProgress(cfg.Out)
	}
	acc := &accepted{}
	start := time.Now()
	var wg sync.WaitGroup
	if len(exp.Faults) > 0 {
		res.ChaosRan = true
		wg.Go(func() {
			r, err := chaos.Run(ctx, exp, t, func(e chaos.Event) {
				say("chaos +%.0fs %s %s %s %s", e.At.Sub(start).Seconds(), e.Phase, e.Fault, e.Target, e.Detail)
			})
			res.Chaos = r
			if err != nil {
				res.ChaosErr = err.Error()
			}
		})
	}
	lr, err := loadgen.Run(ctx, loadgen.Config{Target: res.Target, Scenario: sc, Profile: prof, Logger: cfg.Logger,
		Progress: progress, Seed: cfg.Seed, ForwardedFor: true, OnOrder: acc.add})
	wg.Wait()
	if err != nil {
		return fmt.Errorf("rehearse: load: %w", err)
	}
	res.Load = lr
	res.accepted = acc.all
	return nil
}
