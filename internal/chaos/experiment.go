package chaos

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"time"
)

// Experiment is a parsed experiment file (JSON).
type Experiment struct {
	Name string `json:"name"`
	// SteadyState probes are checked before the first fault, every
	// Probe.Every during the run, and after the last undo.
	SteadyState []Probe     `json:"steady_state"`
	Faults      []Fault     `json:"faults"`
	Abort       []AbortRule `json:"abort"`
	// Duration is how long the run lasts; the default is until the last
	// fault is undone. A longer one watches the shop after the faults.
	Duration Duration `json:"duration,omitempty"`
	// Recovery is how long after the last undo the steady state may take
	// to come back (a restarted process starting up); default 30s.
	Recovery Duration `json:"recovery,omitempty"`
}

// defaultRecovery is the default Experiment.Recovery.
const defaultRecovery = 30 * time.Second

// maxRun bounds an experiment's length; rehearsals are minutes, and a typo
// like "10h" should not hold faults on a shop for a day.
const maxRun = 6 * time.Hour

// End is when the run ends, as an offset from its start: Duration, or the
// latest end of a fault.
func (e Experiment) End() time.Duration {
	end := e.Duration.D()
	for _, f := range e.Faults {
		end = max(end, f.Start.D()+f.Duration.D())
	}
	return end
}

// Probe is an HTTP request against Targets.BaseURL whose status says whether
// the shop is in its steady state.
type Probe struct {
	Name   string `json:"name"`
	Method string `json:"method"` // default GET
	Path   string `json:"path"`
	Expect int    `json:"expect"` // default 200
	// Every is how often the probe runs during the run; 0 runs it only
	// before the first fault and after the last undo.
	Every   Duration `json:"every"`
	Timeout Duration `json:"timeout"` // default 2s
}

// AbortRule aborts the run (undoing everything) when the probe named Probe
// fails FailuresInARow times in a row.
type AbortRule struct {
	Probe          string `json:"probe"`
	FailuresInARow int    `json:"failures_in_a_row"`
}

// Fault kinds.
const (
	KindKill      = "kill"
	KindFreeze    = "freeze"
	KindLatency   = "latency"
	KindErrors    = "errors"
	KindBlackhole = "blackhole"
	KindCut       = "cut"
	KindPayment   = "payment"
	KindFillQueue = "fill_queue"
)

// Fault is one thing done to the shop for a while.
type Fault struct {
	Kind string `json:"kind"` // kill | freeze | latency | errors | blackhole | cut | payment | fill_queue
	// Target is a process name ("app", "worker", "edge") or a link name
	// ("app-nats", "worker-nats", "app-db", "worker-db", "app-redis",
	// "payment"). payment and fill_queue faults need none.
	Target string   `json:"target"`
	Start  Duration `json:"start"` // offset from the run's start
	// Duration is how long before the fault is undone. kill: restart after
	// Duration; 0 stays dead until the end of the run.
	Duration Duration `json:"duration"`
	Latency  Duration `json:"latency,omitempty"` // latency, payment
	Jitter   Duration `json:"jitter,omitempty"`  // latency
	// Rate is the share 0..1 of calls that fail (errors: connections reset;
	// payment: charges that fail as unavailable).
	Rate float64 `json:"rate,omitempty"`
	// DeclineRate is the share 0..1 of charges the payment simulator
	// declines (payment only).
	DeclineRate float64 `json:"decline_rate,omitempty"`
	Count       int     `json:"count,omitempty"` // fill_queue: messages to publish
}

// String names the fault for events and errors: "latency app-db".
func (f Fault) String() string {
	if f.Target == "" {
		return f.Kind
	}
	return f.Kind + " " + f.Target
}

// Duration is a time.Duration written in JSON as a Go duration string
// ("10s", "1m30s").
type Duration time.Duration

// MarshalJSON writes d as a duration string.
func (d Duration) MarshalJSON() ([]byte, error) { return json.Marshal(time.Duration(d).String()) }

// UnmarshalJSON reads a duration string; a bare number is refused because
// its unit would be a guess.
func (d *Duration) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("want a duration string like \"10s\", got %s", b)
	}
	v, err := time.ParseDuration(s)
	if err != nil {
		return fmt.Errorf("want a duration string like \"10s\", got %q", s)
	}
	*d = Duration(v)
	return nil
}

// D returns d as a time.Duration.
func (d Duration) D() time.Duration { return time.Duration(d) }

// maxExperimentBytes bounds an experiment file; real ones are a few KB.
const maxExperimentBytes = 1 << 20

// ParseExperiment decodes and validates an experiment. Unknown fields,
// unknown kinds, negative times and rates outside 0..1 are refused; every
// problem is reported, each naming its field (faults[2].rate).
func ParseExperiment(data []byte) (Experiment, error) {
	if len(data) > maxExperimentBytes {
		return Experiment{}, fmt.Errorf("experiment: file is over %d bytes", maxExperimentBytes)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var exp Experiment
	if err := dec.Decode(&exp); err != nil {
		return Experiment{}, fmt.Errorf("experiment: %w", describeJSONError(err))
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return Experiment{}, errors.New("experiment: trailing data after the JSON object")
	}
	exp.defaults()
	if err := exp.Validate(); err != nil {
		return Experiment{}, err
	}
	return exp, nil
}

// LoadExperiment reads and parses the experiment file at path.
func LoadExperiment(path string) (Experiment, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return Experiment{}, fmt.Errorf("experiment: %w", err)
	}
	exp, err := ParseExperiment(data)
	if err != nil {
		return Experiment{}, fmt.Errorf("%s: %w", path, err)
	}
	return exp, nil
}

func describeJSONError(err error) error {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) && te.Field != "" {
		return fmt.Errorf("field %s: want %s, got %s", te.Field, te.Type, te.Value)
	}
	return err
}

func (e *Experiment) defaults() {
	for i := range e.SteadyState {
		p := &e.SteadyState[i]
		if p.Method == "" {
			p.Method = "GET"
		}
		if p.Expect == 0 {
			p.Expect = 200
		}
		if p.Timeout == 0 {
			p.Timeout = Duration(2 * time.Second)
		}
	}
}

// Validate reports every problem in e, each naming its field.
func (e Experiment) Validate() error {
	var errs []error
	bad := func(field, format string, args ...any) {
		errs = append(errs, fmt.Errorf("%s: %s", field, fmt.Sprintf(format, args...)))
	}
	probes := map[string]bool{}
	for i, p := range e.SteadyState {
		f := fmt.Sprintf("steady_state[%d]", i)
		switch {
		case p.Name == "":
			bad(f+".name", "required")
		case probes[p.Name]:
			bad(f+".name", "%q is used twice", p.Name)
		}
		probes[p.Name] = true
		if !strings.HasPrefix(p.Path, "/") {
			bad(f+".path", "must start with /")
		}
		switch p.Method {
		case "GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "PATCH":
		default:
			bad(f+".method", "unknown method %q", p.Method)
		}
		if p.Expect < 100 || p.Expect > 599 {
			bad(f+".expect", "%d is not an HTTP status", p.Expect)
		}
		if p.Every < 0 {
			bad(f+".every", "must not be negative")
		} else if p.Every > 0 && p.Every.D() < 10*time.Millisecond {
			bad(f+".every", "must be at least 10ms")
		}
		if p.Timeout <= 0 {
			bad(f+".timeout", "must be positive")
		}
	}
	for i, a := range e.Abort {
		f := fmt.Sprintf("abort[%d]", i)
		if !probes[a.Probe] {
			bad(f+".probe", "no steady_state probe is named %q", a.Probe)
		}
		if a.FailuresInARow < 1 {
			bad(f+".failures_in_a_row", "must be at least 1")
		}
	}
	if len(e.Faults) == 0 {
		bad("faults", "at least one fault is required")
	}
	for i, ft := range e.Faults {
		errs = append(errs, ft.validate(fmt.Sprintf("faults[%d]", i))...)
	}
	if e.Duration < 0 {
		bad("duration", "must not be negative")
	}
	if e.Recovery < 0 {
		bad("recovery", "must not be negative")
	}
	if e.End() > maxRun {
		bad("duration", "the run would last %s, over the %s limit", e.End(), maxRun)
	}
	errs = append(errs, e.overlaps()...)
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("experiment: %w", err)
	}
	return nil
}

// overlaps refuses faults that would undo each other: two process faults on
// one process (a thaw would restart nothing, a restart would undo a freeze)
// or two payment faults (the simulator has one set of knobs).
func (e Experiment) overlaps() []error {
	var errs []error
	span := func(f Fault) (time.Duration, time.Duration) {
		end := f.Start.D() + f.Duration.D()
		if f.Kind == KindKill && f.Duration == 0 {
			end = e.End() + 1 // dead until the end of the run
		}
		return f.Start.D(), end
	}
	key := func(f Fault) string {
		switch f.Kind {
		case KindKill, KindFreeze:
			return "process " + f.Target
		case KindPayment:
			return "payment"
		}
		return ""
	}
	for i, a := range e.Faults {
		for j := i + 1; j < len(e.Faults); j++ {
			b := e.Faults[j]
			if key(a) == "" || key(a) != key(b) {
				continue
			}
			as, ae := span(a)
			bs, be := span(b)
			if as < be && bs < ae {
				errs = append(errs, fmt.Errorf("faults[%d]: overlaps faults[%d] on %s; one would undo the other", j, i, key(a)))
			}
		}
	}
	return errs
}

func (ft Fault) validate(f string) []error {
	var errs []error
	bad := func(field, format string, args ...any) {
		errs = append(errs, fmt.Errorf("%s.%s: %s", f, field, fmt.Sprintf(format, args...)))
	}
	if ft.Start < 0 {
		bad("start", "must not be negative")
	}
	if ft.Duration < 0 {
		bad("duration", "must not be negative")
	}
	if ft.Latency < 0 {
		bad("latency", "must not be negative")
	}
	if ft.Jitter < 0 {
		bad("jitter", "must not be negative")
	}
	if ft.Rate < 0 || ft.Rate > 1 {
		bad("rate", "%v is outside 0..1", ft.Rate)
	}
	if ft.DeclineRate < 0 || ft.DeclineRate > 1 {
		bad("decline_rate", "%v is outside 0..1", ft.DeclineRate)
	}
	if ft.Count < 0 {
		bad("count", "must not be negative")
	}
	needsTarget := true
	switch ft.Kind {
	case KindKill, KindFreeze, KindCut, KindBlackhole:
	case KindLatency:
		if ft.Latency <= 0 {
			bad("latency", "a latency fault needs a positive latency")
		}
	case KindErrors:
		if ft.Rate <= 0 {
			bad("rate", "an errors fault needs a rate above 0")
		}
	case KindPayment:
		needsTarget = false
		if ft.Latency <= 0 && ft.Rate <= 0 && ft.DeclineRate <= 0 {
			bad("kind", "a payment fault needs latency, rate or decline_rate")
		}
	case KindFillQueue:
		needsTarget = false
		if ft.Count < 1 {
			bad("count", "a fill_queue fault needs a count of at least 1")
		} else if ft.Count > 1_000_000 {
			bad("count", "at most 1000000 messages")
		}
	case "":
		bad("kind", "required")
	default:
		bad("kind", "unknown kind %q (want kill, freeze, latency, errors, blackhole, cut, payment or fill_queue)", ft.Kind)
	}
	if needsTarget && ft.Target == "" {
		bad("target", "required for a %s fault", ft.Kind)
	}
	if ft.Kind != KindKill && ft.Kind != KindFillQueue && ft.Duration == 0 {
		bad("duration", "a %s fault needs a positive duration", ft.Kind)
	}
	return errs
}

//go:embed example.json
var exampleJSON []byte

// ExampleJSON is a documented example experiment (`peakshop chaos
// --print-example`); a test keeps it valid.
func ExampleJSON() []byte { return slices.Clone(exampleJSON) }
