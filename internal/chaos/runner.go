package chaos

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"
)

// runner is one Run. Only its loop goroutine touches its fields; probes and
// background injections report to it over channels.
type runner struct {
	exp     Experiment
	t       Targets
	onEvent func(Event)

	res      Result
	undoErrs []error        // undos that failed; Run returns them
	fails    map[string]int // consecutive failures per probe
	active   []*active      // injected and not yet undone, in injection order
}

// active is an injected fault and how to undo it.
type active struct {
	i    int
	f    Fault
	undo func(context.Context) error
}

// action is one step of the schedule: inject or undo fault i at offset at.
type action struct {
	at     time.Duration
	i      int
	inject bool
}

type probeResult struct {
	probe  Probe
	ok     bool
	detail string
}

// background is the outcome of an injection that runs beside the loop
// (fill_queue).
type background struct {
	i      int
	detail string
	err    error
}

func (r *runner) emit(fault, target, phase, detail string) {
	e := Event{At: time.Now(), Fault: fault, Target: target, Phase: phase, Detail: detail}
	r.res.Events = append(r.res.Events, e)
	if r.onEvent != nil {
		r.onEvent(e)
	}
}

func (r *runner) schedule() []action {
	var acts []action
	for i, f := range r.exp.Faults {
		acts = append(acts, action{at: f.Start.D(), i: i, inject: true})
		if f.Duration > 0 && f.Kind != KindFillQueue {
			acts = append(acts, action{at: f.Start.D() + f.Duration.D(), i: i})
		}
	}
	// Undo before inject at the same instant, so one fault can hand a
	// process over to the next.
	slices.SortStableFunc(acts, func(a, b action) int {
		if c := cmp.Compare(a.at, b.at); c != 0 {
			return c
		}
		if a.inject == b.inject {
			return 0
		}
		if a.inject {
			return 1
		}
		return -1
	})
	return acts
}

func (r *runner) run(ctx context.Context) (Result, error) {
	ok, detail := r.steady(ctx)
	r.res.SteadyStateBefore = ok
	r.emit("steady_state", r.t.BaseURL, PhaseSteadyState, "before: "+detail)
	if ctx.Err() != nil {
		r.res.Aborted, r.res.AbortReason = true, "interrupted"
		r.emit("abort", "", PhaseAbort, "interrupted before the first fault")
		return r.res, fmt.Errorf("chaos: run interrupted: %w", context.Cause(ctx))
	}
	if !ok {
		r.res.Aborted, r.res.AbortReason = true, "steady state not met before the first fault: "+detail
		r.emit("abort", "", PhaseAbort, r.res.AbortReason)
		return r.res, nil
	}

	runErr := r.loop(ctx)

	// Undo on a context of its own: ctx may be what ended the run.
	r.undoAll()

	if ctx.Err() != nil {
		// Interrupted: one look, not a wait for recovery; the operator wants out.
		uctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		r.res.SteadyStateAfter, detail = r.steady(uctx)
		cancel()
	} else {
		r.res.SteadyStateAfter, detail = r.recover(ctx)
	}
	r.emit("steady_state", r.t.BaseURL, PhaseSteadyState, "after: "+detail)
	return r.res, errors.Join(append([]error{runErr}, r.undoErrs...)...)
}

// loop runs the schedule and the periodic probes until the end, an abort,
// a failed injection or ctx's end. It returns an error for the last two.
func (r *runner) loop(ctx context.Context) error {
	start := time.Now()
	acts := r.schedule()
	end := r.exp.End()

	pctx, stopProbes := context.WithCancel(ctx)
	results := make(chan probeResult)
	var probes sync.WaitGroup
	for _, p := range r.exp.SteadyState {
		if p.Every > 0 {
			probes.Go(func() { r.watch(pctx, p, results) })
		}
	}
	bgDone := make(chan background)
	var bg sync.WaitGroup
	defer func() {
		stopProbes()
		// Drain while waiting, so no sender blocks on a loop that has left.
		waited := make(chan struct{})
		go func() { probes.Wait(); bg.Wait(); close(waited) }()
		for {
			select {
			case <-results:
			case b := <-bgDone:
				r.finishBackground(b)
			case <-waited:
				return
			}
		}
	}()

	timer := time.NewTimer(0)
	defer timer.Stop()
	next := 0
	running := 0 // background injections not yet finished; the run waits for them
	ended := false
	for {
		var due time.Duration
		if next < len(acts) {
			due = acts[next].at
		} else {
			due = end
		}
		if ended {
			timer.Stop() // only a background injection, a probe or ctx wakes us now
		} else {
			timer.Reset(time.Until(start.Add(due)))
		}
		select {
		case <-ctx.Done():
			r.res.Aborted, r.res.AbortReason = true, "interrupted"
			r.emit("abort", "", PhaseAbort, "interrupted: undoing every fault")
			return fmt.Errorf("chaos: run interrupted: %w", context.Cause(ctx))
		case pr := <-results:
			if reason := r.probed(pr); reason != "" {
				r.res.Aborted, r.res.AbortReason = true, reason
				r.emit("abort", pr.probe.Name, PhaseAbort, reason+": undoing every fault")
				return nil
			}
		case b := <-bgDone:
			running--
			if err := r.finishBackground(b); err != nil {
				return r.failed(err)
			}
			if ended && running == 0 {
				return nil
			}
		case <-timer.C:
			if next >= len(acts) {
				if running == 0 {
					return nil
				}
				ended = true
				continue
			}
			a := acts[next]
			next++
			if !a.inject {
				r.undoOne(a.i)
				continue
			}
			f := r.exp.Faults[a.i]
			if f.Kind == KindFillQueue {
				r.emit(f.Kind, target(f), PhaseInject, fmt.Sprintf("publishing %d events", f.Count))
				running++
				bg.Go(func() {
					detail, err := fillQueue(pctx, r.t.NATSURL, f.Count)
					bgDone <- background{i: a.i, detail: detail, err: err}
				})
				continue
			}
			if err := r.inject(ctx, a.i); err != nil {
				return r.failed(err)
			}
		}
	}
}

func (r *runner) failed(err error) error {
	r.res.Aborted, r.res.AbortReason = true, err.Error()
	r.emit("abort", "", PhaseAbort, "a fault failed: undoing every fault")
	return err
}

func (r *runner) finishBackground(b background) error {
	f := r.exp.Faults[b.i]
	if b.err != nil {
		r.emit(f.Kind, target(f), PhaseError, b.err.Error())
		return fmt.Errorf("chaos: %s: %w", f, b.err)
	}
	r.emit(f.Kind, target(f), PhaseUndo, "nothing to undo: "+b.detail)
	return nil
}

// inject applies fault i and remembers how to undo it. A fault that failed
// half-way is remembered too when it left something to undo.
func (r *runner) inject(ctx context.Context, i int) error {
	f := r.exp.Faults[i]
	ictx, cancel := context.WithTimeout(ctx, undoTimeout)
	defer cancel()
	undo, detail, err := r.apply(ictx, f)
	if undo != nil {
		r.active = append(r.active, &active{i: i, f: f, undo: undo})
	}
	if err != nil {
		r.emit(f.Kind, target(f), PhaseError, err.Error())
		return fmt.Errorf("chaos: inject %s: %w", f, err)
	}
	r.emit(f.Kind, target(f), PhaseInject, detail)
	return nil
}

// undoOne undoes fault i if it is active. A failed undo is reported and
// not retried: the fault's own undo already tries every part of it.
func (r *runner) undoOne(i int) {
	k := slices.IndexFunc(r.active, func(a *active) bool { return a.i == i })
	if k < 0 {
		return
	}
	a := r.active[k]
	r.active = slices.Delete(r.active, k, k+1)
	ctx, cancel := context.WithTimeout(context.Background(), undoTimeout)
	defer cancel()
	if err := a.undo(ctx); err != nil {
		r.undoErrs = append(r.undoErrs, fmt.Errorf("chaos: undo %s: %w", a.f, err))
		r.emit(a.f.Kind, target(a.f), PhaseError, "undo: "+err.Error())
		return
	}
	r.emit(a.f.Kind, target(a.f), PhaseUndo, undoDetail(a.f))
}

// undoAll undoes what is still active: frozen processes are thawed first
// (a frozen process cannot even die cleanly), then the rest newest first.
func (r *runner) undoAll() {
	for _, a := range slices.Clone(r.active) {
		if a.f.Kind == KindFreeze {
			r.undoOne(a.i)
		}
	}
	for len(r.active) > 0 {
		r.undoOne(r.active[len(r.active)-1].i)
	}
}

// probed records a periodic probe's result and returns an abort reason
// when an abort rule fires.
func (r *runner) probed(pr probeResult) string {
	name := pr.probe.Name
	if pr.ok {
		if r.fails[name] > 0 {
			r.emit("probe", name, PhaseProbeOK, fmt.Sprintf("passes again after %d failures", r.fails[name]))
		}
		r.fails[name] = 0
		return ""
	}
	r.fails[name]++
	r.emit("probe", name, PhaseProbeFail, fmt.Sprintf("%s (%d in a row)", pr.detail, r.fails[name]))
	for _, rule := range r.exp.Abort {
		if rule.Probe == name && r.fails[name] >= rule.FailuresInARow {
			return fmt.Sprintf("probe %s failed %d times in a row", name, r.fails[name])
		}
	}
	return ""
}

// watch runs p every p.Every until ctx ends.
func (r *runner) watch(ctx context.Context, p Probe, out chan<- probeResult) {
	tick := time.NewTicker(p.Every.D())
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		ok, detail := r.probe(ctx, p)
		if ctx.Err() != nil {
			return // a probe cut short by the end of the run says nothing
		}
		select {
		case out <- probeResult{probe: p, ok: ok, detail: detail}:
		case <-ctx.Done():
			return
		}
	}
}

// recover waits up to the experiment's recovery time for every probe to pass.
func (r *runner) recover(ctx context.Context) (bool, string) {
	wait := r.exp.Recovery.D()
	if wait == 0 {
		wait = defaultRecovery
	}
	deadline := time.Now().Add(wait)
	for {
		ok, detail := r.steady(ctx)
		if ok || time.Now().After(deadline) || ctx.Err() != nil {
			return ok, detail
		}
		select {
		case <-ctx.Done():
		case <-time.After(250 * time.Millisecond):
		}
	}
}

func target(f Fault) string {
	switch {
	case f.Target != "":
		return f.Target
	case f.Kind == KindPayment:
		return "payment-simulator"
	case f.Kind == KindFillQueue:
		return "queue"
	}
	return ""
}

func undoDetail(f Fault) string {
	switch f.Kind {
	case KindKill:
		return "restarted"
	case KindFreeze:
		return "thawed (SIGCONT)"
	case KindCut:
		return "re-enabled"
	case KindPayment:
		return "simulator knobs restored"
	}
	return "removed"
}

var errNoSuchTarget = errors.New("no such target")
