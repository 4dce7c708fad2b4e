package alarm

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/peakshop/peakshop/internal/telemetry/promsnap"
)

// Transition is a change of an alarm's state, as notifications and actions
// receive it.
type Transition struct {
	Alarm     string    `json:"alarm"`
	Severity  string    `json:"severity,omitempty"`
	From      State     `json:"from"`
	To        State     `json:"to"`
	Reason    string    `json:"reason"`
	Value     *float64  `json:"value,omitempty"`
	Threshold float64   `json:"threshold"`
	At        time.Time `json:"at"`
}

// Action is a hook run on every change of state of the rules that name it.
// It runs on the notification goroutine, never during evaluation.
type Action func(ctx context.Context, t Transition)

// Status is a rule and where it stands, for the console and `peakshop alarms`.
type Status struct {
	Rule
	State  State      `json:"state"`
	Since  time.Time  `json:"since"`
	Reason string     `json:"reason"`
	Recent []*float64 `json:"recent"` // the last Periods values, oldest first; null for no data
}

// Config configures an Engine.
type Config struct {
	Rules  File
	Source prometheus.Gatherer
	// Notifier sends notifications; nil sends none.
	Notifier Notifier
	Logger   *slog.Logger
}

// Engine evaluates rules once per period. It is safe for concurrent use.
type Engine struct {
	period   time.Duration
	source   prometheus.Gatherer
	notifier Notifier
	logger   *slog.Logger
	queue    chan Transition

	mu      sync.Mutex
	rules   []*ruleState
	prev    *promsnap.Snapshot
	actions map[string][]Action
}

type ruleState struct {
	rule   Rule
	state  State
	since  time.Time
	reason string
	window []*float64 // ring of the last Periods datapoints
}

// New returns an engine for cfg.Rules (validated) and takes the baseline
// snapshot. All alarms start INSUFFICIENT_DATA.
func New(cfg Config) (*Engine, error) {
	if err := cfg.Rules.Validate(); err != nil {
		return nil, err
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	e := &Engine{period: time.Duration(cfg.Rules.Period), source: cfg.Source, notifier: cfg.Notifier,
		logger: cfg.Logger, queue: make(chan Transition, 256), actions: map[string][]Action{}}
	now := time.Now()
	for _, r := range cfg.Rules.Rules {
		e.rules = append(e.rules, &ruleState{rule: r, state: InsufficientData, since: now, reason: "not evaluated yet"})
	}
	e.Evaluate(now) // the baseline the first period is measured from
	return e, nil
}

// Period is how often Run evaluates.
func (e *Engine) Period() time.Duration { return e.period }

// OnAction registers fn under name; rules whose Actions list the name run it
// on every change of state. The autoscaler registers "scale-out".
func (e *Engine) OnAction(name string, fn Action) {
	e.mu.Lock()
	e.actions[name] = append(e.actions[name], fn)
	e.mu.Unlock()
}

// Run evaluates every period and delivers notifications until ctx ends.
func (e *Engine) Run(ctx context.Context) {
	done := make(chan struct{})
	go func() { defer close(done); e.deliver(ctx) }()
	t := time.NewTicker(e.period)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			<-done
			return
		case now := <-t.C:
			e.Evaluate(now)
		}
	}
}

// Evaluate takes a snapshot at now and, from the second call on, adds one
// datapoint per rule for the period since the previous call.
func (e *Engine) Evaluate(now time.Time) {
	cur, err := promsnap.Take(e.source, now)
	if err != nil {
		e.logger.Warn("alarm: gathering metrics", "err", err)
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	prev := e.prev
	e.prev = &cur
	if prev == nil {
		return
	}
	for _, rs := range e.rules {
		var dp *float64
		if v, ok := rs.rule.Signal.value(*prev, cur); ok {
			dp = &v
		}
		rs.window = append(rs.window, dp)
		if len(rs.window) > rs.rule.Periods {
			rs.window = rs.window[1:]
		}
		state, reason := rs.rule.decide(rs.window)
		if state == rs.state {
			rs.reason = reason
			continue
		}
		t := Transition{Alarm: rs.rule.Name, Severity: rs.rule.Severity, From: rs.state, To: state, Reason: reason,
			Value: dp, Threshold: rs.rule.Threshold, At: now}
		rs.state, rs.since, rs.reason = state, now, reason
		e.logger.Info("alarm state changed", "alarm", t.Alarm, "from", t.From, "to", t.To, "reason", reason)
		select {
		case e.queue <- t:
		default:
			e.logger.Error("alarm: notification queue full; dropped", "alarm", t.Alarm, "to", t.To)
		}
	}
}

// Statuses lists every rule with its state, in file order.
func (e *Engine) Statuses() []Status {
	e.mu.Lock()
	defer e.mu.Unlock()
	out := make([]Status, len(e.rules))
	for i, rs := range e.rules {
		out[i] = Status{Rule: rs.rule, State: rs.state, Since: rs.since, Reason: rs.reason, Recent: append([]*float64(nil), rs.window...)}
	}
	return out
}

func (e *Engine) deliver(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case t := <-e.queue:
			e.mu.Lock()
			var rule Rule
			for _, rs := range e.rules {
				if rs.rule.Name == t.Alarm {
					rule = rs.rule
				}
			}
			var acts []Action
			for _, name := range rule.Actions {
				acts = append(acts, e.actions[name]...)
			}
			e.mu.Unlock()
			for _, a := range acts {
				a(ctx, t)
			}
			if e.notifier != nil {
				if err := e.notifier.Notify(ctx, rule, t); err != nil {
					e.logger.Error("alarm: notification failed", "alarm", t.Alarm, "err", err)
				}
			}
		}
	}
}
