package loadgen

import (
	"context"
	"errors"
	"log/slog"
	"math/rand/v2"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/valyala/fasthttp"
)

// Why a run ended, Result.StoppedBy.
const (
	StopDuration    = "duration"
	StopMaxRequests = "max_requests"
	StopInterrupted = "interrupted"
)

// Config is one run. Target is a base URL (http://127.0.0.1:8080); the
// caller checks it with CheckTarget first.
type Config struct {
	Target   string
	Scenario *Scenario
	Profile  Profile      // from Scenario.Profile.Build
	Logger   *slog.Logger // required
	Progress *Progress    // nil for none
	Seed     uint64       // 0 picks one; set it to repeat a run's choices
	// LateAfter is how far behind its schedule an arrival may start before
	// it counts as late (default 10ms: timer slack on a busy machine is
	// not lateness, a full pool of shoppers is).
	LateAfter time.Duration
	// ForwardedFor sends each session's own client address in
	// X-Forwarded-For (shoppers one each, bots a handful; see sessionAddr),
	// for a target that believes it. Without it every session shares the
	// generator's address, and per-address rate rules meant for bots
	// would throttle the shoppers too.
	ForwardedFor bool
	// OnOrder, when set, hears of every order the shop accepted (201 or
	// 202), from the session's goroutine: the rehearsal's audit checks that
	// each one reached a terminal state. It must be quick and safe for
	// concurrent use.
	OnOrder func(AcceptedOrder)
}

// AcceptedOrder is a checkout the shop accepted.
type AcceptedOrder struct {
	ID     string    `json:"id"`
	Status int       `json:"status"`
	At     time.Time `json:"at"`
}

// runner is the state of one run, shared by its sessions.
type runner struct {
	sc       *Scenario
	base     string
	hc       *fasthttp.HostClient
	rec      *Recorder
	cat      *catalog
	journeys []journey
	total    float64 // sum of journey weights
	seed     uint64
	log      *slog.Logger
	profile  Profile   // the schedule, the flash sale's arrivals included
	start    time.Time // set before the first arrival
	flash    journey   // the flash sale's shoppers' journey
	xff      bool
	onOrder  func(AcceptedOrder)

	stopOnce sync.Once
	stopped  chan struct{} // closed when arrivals end
	reason   atomic.Value  // string: why
	cutOnce  sync.Once
	cut      chan struct{} // closed when sessions must stop at their next step
}

// cutSessions ends the graceful stop: sessions leave at their next step.
func (r *runner) cutSessions() { r.cutOnce.Do(func() { close(r.cut) }) }

func (r *runner) cutting() bool {
	select {
	case <-r.cut:
		return true
	default:
		return false
	}
}

func (r *runner) stop(reason string) {
	r.stopOnce.Do(func() {
		r.reason.Store(reason)
		close(r.stopped)
	})
}

// Run drives the scenario against the target until the schedule ends, the
// request budget is spent or ctx is cancelled, and returns what it saw with
// the SLOs judged. An error means the run itself could not happen (bad
// config, catalog unreadable); missed SLOs are in the result (Result.Missed).
func Run(ctx context.Context, cfg Config) (*Result, error) {
	r, err := newRunner(cfg)
	if err != nil {
		return nil, err
	}
	defer r.hc.CloseIdleConnections()
	if r.needsCatalog() {
		if r.cat, err = r.loadCatalog(ctx); err != nil {
			return nil, err
		}
	}
	start := time.Now()
	r.start = start
	r.rec = NewRecorder(start)
	late := cfg.LateAfter
	if late <= 0 {
		late = 10 * time.Millisecond
	}
	// Requests run on their own context: when the schedule ends, sessions
	// stop at their next step, but a request in flight gets its answer
	// (cutting it would record a failure the shop did not cause).
	reqCtx, cancelReqs := context.WithCancel(context.WithoutCancel(ctx))
	defer cancelReqs()
	shoppers := newPool(r, reqCtx, ctx.Done())
	stopTicks := r.tick(start, cfg.Progress, &shoppers.inflight)
	r.log.Info("load run starting", "target", r.base, "scenario", r.sc.Name, "profile", r.sc.Profile.Kind,
		"rate", r.sc.Profile.Rate, "duration", r.sc.Duration.D(), "max_requests", r.sc.MaxRequests, "seed", r.seed)
	r.pace(ctx, start, r.profile, late, shoppers.dispatch)
	shoppers.close()
	r.drain(ctx, &shoppers.wg, cancelReqs)
	elapsed := time.Since(start)
	stopTicks()
	r.rec.Tick(time.Now(), 0)
	cfg.Progress.finish()
	res := r.rec.Result(elapsed)
	res.Scenario, res.Target, res.Profile, res.Seed = r.sc.Name, r.base, r.sc.Profile, r.seed
	res.StoppedBy, _ = r.reason.Load().(string)
	res.Judge(r.sc.SLO)
	return res, nil
}

func newRunner(cfg Config) (*runner, error) {
	if cfg.Scenario == nil || cfg.Profile == nil || cfg.Logger == nil {
		return nil, errors.New("load: Config needs Scenario, Profile and Logger")
	}
	if err := cfg.Scenario.Validate(); err != nil {
		return nil, err
	}
	u, err := targetURL(cfg.Target)
	if err != nil {
		return nil, err
	}
	r := &runner{sc: cfg.Scenario, base: strings.TrimSuffix(u.String(), "/"), seed: cfg.Seed,
		hc:  newHostClient(u, cfg.Scenario.MaxShoppers, cfg.Scenario.Timeout.D()),
		log: cfg.Logger, stopped: make(chan struct{}), cut: make(chan struct{}),
		profile: cfg.Profile, xff: cfg.ForwardedFor, onOrder: cfg.OnOrder}
	if r.seed == 0 {
		r.seed = rand.Uint64()
	}
	if fs := cfg.Scenario.FlashSale; fs != nil {
		r.profile = withSale{base: cfg.Profile, sale: fs}
		r.flash = journey{name: "flash sale", weight: 0, think: cfg.Scenario.Think}
		if fs.Think != nil {
			r.flash.think = *fs.Think
		}
		for _, s := range fs.Steps {
			st, err := ParseStep(s)
			if err != nil {
				return nil, err
			}
			r.flash.steps = append(r.flash.steps, st)
		}
	}
	for _, j := range cfg.Scenario.Journeys {
		pj := journey{name: j.Name, weight: j.Weight, think: cfg.Scenario.Think}
		if j.Think != nil {
			pj.think = *j.Think
		}
		for _, s := range j.Steps {
			st, err := ParseStep(s)
			if err != nil {
				return nil, err
			}
			pj.steps = append(pj.steps, st)
		}
		r.journeys = append(r.journeys, pj)
		r.total += j.Weight
	}
	return r, nil
}

// needsCatalog is false for scenarios of fixed paths only (the benchmark),
// which must run against servers that are not a shop.
func (r *runner) needsCatalog() bool {
	for _, j := range append(r.journeys, r.flash) {
		for _, s := range j.steps {
			if s.Kind == StepCategory || s.Kind == StepProduct || s.Kind == StepHotProduct || s.Kind == StepAddCart {
				return true
			}
		}
	}
	return false
}

// drain ends the run after the schedule: sessions under way finish their
// journeys for up to the scenario's graceful stop (so the last arrivals are
// measured like the first), then leave at their next step; requests still
// in flight get one request timeout more before they are cancelled. An
// interrupt or a spent budget skips the grace.
func (r *runner) drain(ctx context.Context, wg *sync.WaitGroup, cancelReqs context.CancelFunc) {
	if ctx.Err() != nil {
		r.stop(StopInterrupted)
		r.cutSessions()
		cancelReqs() // interrupted: nobody waits for answers
	}
	r.stop(StopDuration)
	drained := make(chan struct{})
	go func() { wg.Wait(); close(drained) }()
	grace := time.NewTimer(r.sc.GracefulStop.D())
	defer grace.Stop()
	select {
	case <-drained:
		return
	case <-grace.C:
	case <-r.cut:
	}
	r.cutSessions()
	select {
	case <-drained:
	case <-time.After(r.sc.Timeout.D() + time.Second):
		cancelReqs()
		<-drained
	}
}
