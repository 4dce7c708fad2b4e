package chaos

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"
)

// Targets is what an experiment acts on.
type Targets struct {
	// BaseURL is where steady-state probes are sent (the edge or the app).
	BaseURL   string
	Processes map[string]Process
	Links     map[string]*Link
	// Controls are the base URLs of the processes' loopback chaos-control
	// listeners (payment faults).
	Controls []string
	// AdminToken is the bearer token for the control listeners.
	AdminToken string
	// NATSURL is the server fill_queue publishes to.
	NATSURL string
	// HTTPClient sends probes and control calls; nil uses a client of its own.
	HTTPClient *http.Client
}

// Event is one thing that happened during a run.
type Event struct {
	At     time.Time `json:"at"`
	Fault  string    `json:"fault"` // the fault's Kind, or "probe", "abort", "steady_state"
	Target string    `json:"target"`
	// Phase is inject | undo | probe_fail | probe_ok | abort | error |
	// steady_state. probe_ok follows only a probe_fail (the probe recovered);
	// error is an injection or undo that failed.
	Phase  string `json:"phase"`
	Detail string `json:"detail"`
}

// Event phases.
const (
	PhaseInject      = "inject"
	PhaseUndo        = "undo"
	PhaseProbeFail   = "probe_fail"
	PhaseProbeOK     = "probe_ok"
	PhaseAbort       = "abort"
	PhaseError       = "error"
	PhaseSteadyState = "steady_state"
)

// Result is what a run did and found.
type Result struct {
	Events      []Event `json:"events"`
	Aborted     bool    `json:"aborted"`
	AbortReason string  `json:"abort_reason,omitempty"`
	// SteadyStateBefore and SteadyStateAfter say whether every probe passed
	// before the first fault and, after the last undo, within the
	// experiment's recovery time.
	SteadyStateBefore bool `json:"steady_state_before"`
	SteadyStateAfter  bool `json:"steady_state_after"`
}

// undoTimeout bounds the undo of one fault, so a hung control listener
// cannot keep the others from being undone.
const undoTimeout = 15 * time.Second

// Run checks the steady state, injects each fault at its Start and undoes it
// after its Duration, checking the probes that have an Every meanwhile, and
// checks the steady state again after the last undo. Every injected fault is
// undone before Run returns, also when ctx is cancelled (SIGINT), an abort
// rule fires or an injection fails (then Run returns an error too); frozen
// processes are thawed first. onEvent (may be nil) sees events as they
// happen, from one goroutine at a time.
//
// Run returns an error, and does nothing, when the experiment names a
// target that t does not have. It also returns an error (with the Result)
// when the run was interrupted, an injection failed or an undo failed; an
// abort rule firing is not an error but Result.Aborted.
func Run(ctx context.Context, exp Experiment, t Targets, onEvent func(Event)) (Result, error) {
	// An experiment built in code gets the same defaults as a parsed one.
	exp.SteadyState = slices.Clone(exp.SteadyState)
	exp.defaults()
	if err := exp.Validate(); err != nil {
		return Result{}, err
	}
	if err := t.check(exp); err != nil {
		return Result{}, err
	}
	if t.HTTPClient == nil {
		t.HTTPClient = &http.Client{}
	}
	r := &runner{exp: exp, t: t, onEvent: onEvent, fails: map[string]int{}}
	return r.run(ctx)
}

// check refuses an experiment whose faults name targets t lacks.
func (t Targets) check(exp Experiment) error {
	var errs []error
	for i, f := range exp.Faults {
		field := fmt.Sprintf("faults[%d].target", i)
		switch f.Kind {
		case KindKill, KindFreeze:
			if t.Processes[f.Target] == nil {
				errs = append(errs, fmt.Errorf("%s: no process named %q (have %s)", field, f.Target, names(t.Processes)))
			}
		case KindLatency, KindErrors, KindBlackhole, KindCut:
			if t.Links[f.Target] == nil {
				errs = append(errs, fmt.Errorf("%s: no link named %q (have %s)", field, f.Target, names(t.Links)))
			}
		case KindPayment:
			if len(t.Controls) == 0 {
				errs = append(errs, fmt.Errorf("faults[%d]: a payment fault needs at least one chaos-control URL", i))
			} else if t.AdminToken == "" {
				errs = append(errs, fmt.Errorf("faults[%d]: a payment fault needs the admin token", i))
			}
		case KindFillQueue:
			if t.NATSURL == "" {
				errs = append(errs, fmt.Errorf("faults[%d]: a fill_queue fault needs a NATS URL", i))
			}
		}
	}
	if len(exp.SteadyState) > 0 && t.BaseURL == "" {
		errs = append(errs, errors.New("steady_state: probes need a target base URL"))
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("chaos: %w", err)
	}
	return nil
}

func names[V any](m map[string]V) string {
	if len(m) == 0 {
		return "none"
	}
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return strings.Join(ks, ", ")
}

// CheckSteadyState sends every probe of exp once to t.BaseURL and reports
// whether all passed, with the failures. Commands use it to wait for a shop
// to come up before a run.
func CheckSteadyState(ctx context.Context, exp Experiment, t Targets) (bool, string) {
	if t.HTTPClient == nil {
		t.HTTPClient = &http.Client{}
	}
	exp.SteadyState = slices.Clone(exp.SteadyState)
	exp.defaults()
	r := &runner{exp: exp, t: t}
	return r.steady(ctx)
}
