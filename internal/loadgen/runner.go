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
	r.pace(ctx, start, cfg.Profile, late, shoppers.dispatch)
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
		log: cfg.Logger, stopped: make(chan struct{}), cut: make(chan struct{})}
	if r.seed == 0 {
		r.seed = rand.Uint64()
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
	for _, j := range r.journeys {
		for _, s := range j.steps {
			if s.Kind == StepCategory || s.Kind == StepProduct || s.Kind == StepAddCart {
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
