// Package alarm evaluates peakshop's alarm rules against its own Prometheus
// registry: a threshold breached in N of the last M periods (as CloudWatch
// alarms do), with states OK, ALARM and INSUFFICIENT_DATA, notifications by
// webhook and e-mail on every change of state, and named actions that other
// parts of the shop (the autoscaler) hook into.
//
// Rules live in a JSON file (see Defaults for a shop's starting set and
// docs/observability.md for the format). The same rules are written out as
// Prometheus alerting rules by `peakshop deploy observability`, so a team on
// its own stack gets equivalent alerts.
package alarm

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/peakshop/peakshop/internal/telemetry/promsnap"
)

// State is an alarm's state.
type State string

// The three states.
const (
	OK               State = "OK"
	Alarm            State = "ALARM"
	InsufficientData State = "INSUFFICIENT_DATA"
)

// Signal says what number a rule watches, computed over one period from
// two snapshots of the registry.
type Signal struct {
	// Kind is "quantile" (of a histogram, in its unit), "ratio" (increase of
	// Metric over increase of Denominator), "rate" (per second), "increase"
	// (per period) or "gauge" (largest matching series now).
	Kind   string            `json:"kind"`
	Metric string            `json:"metric"`
	Match  map[string]string `json:"match,omitempty"`
	// Quantile is for kind quantile, 0-1.
	Quantile float64 `json:"quantile,omitempty"`
	// Denominator and DenominatorMatch are for kind ratio.
	Denominator      string            `json:"denominator,omitempty"`
	DenominatorMatch map[string]string `json:"denominator_match,omitempty"`

	match, denMatch promsnap.Matcher
}

// Rule is one alarm.
type Rule struct {
	Name        string `json:"name"`
	Description string `json:"description,omitempty"`
	Signal      Signal `json:"signal"`
	// Comparison is ">", ">=", "<" or "<=" (value compared to Threshold).
	Comparison string  `json:"comparison"`
	Threshold  float64 `json:"threshold"`
	// Datapoints breaching out of the last Periods evaluations raise the
	// alarm (N of M).
	Datapoints int `json:"datapoints"`
	Periods    int `json:"periods"`
	// Missing says how a period without data counts: "ignore" (default:
	// neither way), "breaching" or "not_breaching".
	Missing  string `json:"missing,omitempty"`
	Severity string `json:"severity,omitempty"`
	// Webhooks and Emails are notified on every change of state.
	Webhooks []string `json:"webhooks,omitempty"`
	Emails   []string `json:"emails,omitempty"`
	// Actions names hooks (registered with Engine.OnAction) run on every
	// change of state, e.g. "scale-out".
	Actions []string `json:"actions,omitempty"`
}

// File is the rules file.
type File struct {
	// Period is how often rules are evaluated, e.g. "1m".
	Period Duration `json:"period"`
	Rules  []Rule   `json:"rules"`
}

// Duration is a time.Duration written as "30s" in JSON.
type Duration time.Duration

// MarshalJSON writes the duration as text.
func (d Duration) MarshalJSON() ([]byte, error) { return json.Marshal(time.Duration(d).String()) }

// UnmarshalJSON reads "30s"-style text.
func (d *Duration) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	v, err := time.ParseDuration(s)
	if err != nil {
		return err
	}
	*d = Duration(v)
	return nil
}

// Load reads a rules file; an empty path gives Defaults.
func Load(path string) (File, error) {
	if path == "" {
		return Defaults(), nil
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return File{}, fmt.Errorf("alarm rules: %w", err)
	}
	var f File
	if err := json.Unmarshal(b, &f); err != nil {
		return File{}, fmt.Errorf("alarm rules %s: %w", path, err)
	}
	if f.Period == 0 {
		f.Period = Duration(time.Minute)
	}
	return f, f.Validate()
}

// Validate checks every rule and compiles its label matchers.
func (f *File) Validate() error {
	if f.Period <= 0 {
		return errors.New("alarm rules: period must be positive")
	}
	seen := map[string]bool{}
	var errs []error
	for i := range f.Rules {
		r := &f.Rules[i]
		if err := r.validate(); err != nil {
			errs = append(errs, fmt.Errorf("rule %d (%s): %w", i, r.Name, err))
		}
		if seen[r.Name] {
			errs = append(errs, fmt.Errorf("rule %d: name %q used twice", i, r.Name))
		}
		seen[r.Name] = true
	}
	return errors.Join(errs...)
}

func (r *Rule) validate() error {
	var err error
	switch {
	case r.Name == "":
		return errors.New("name is required")
	case r.Signal.Metric == "":
		return errors.New("signal.metric is required")
	case r.Datapoints < 1 || r.Periods < r.Datapoints:
		return errors.New("want 1 <= datapoints <= periods")
	}
	switch r.Comparison {
	case ">", ">=", "<", "<=":
	default:
		return fmt.Errorf("comparison %q: want >, >=, < or <=", r.Comparison)
	}
	switch r.Missing {
	case "", "ignore", "breaching", "not_breaching":
	default:
		return fmt.Errorf("missing %q: want ignore, breaching or not_breaching", r.Missing)
	}
	switch r.Signal.Kind {
	case "quantile":
		if r.Signal.Quantile <= 0 || r.Signal.Quantile >= 1 {
			return errors.New("signal.quantile must be between 0 and 1")
		}
	case "ratio":
		if r.Signal.Denominator == "" {
			return errors.New("signal.denominator is required for a ratio")
		}
	case "rate", "increase", "gauge":
	default:
		return fmt.Errorf("signal.kind %q: want quantile, ratio, rate, increase or gauge", r.Signal.Kind)
	}
	if r.Signal.match, err = promsnap.NewMatcher(r.Signal.Match); err != nil {
		return err
	}
	r.Signal.denMatch, err = promsnap.NewMatcher(r.Signal.DenominatorMatch)
	return err
}

func (r *Rule) breaches(v float64) bool {
	switch r.Comparison {
	case ">":
		return v > r.Threshold
	case ">=":
		return v >= r.Threshold
	case "<":
		return v < r.Threshold
	default:
		return v <= r.Threshold
	}
}

// value computes the rule's signal for the period between prev and cur.
func (s *Signal) value(prev, cur promsnap.Snapshot) (float64, bool) {
	switch s.Kind {
	case "quantile":
		return promsnap.Quantile(prev, cur, s.Metric, s.match, s.Quantile)
	case "ratio":
		return promsnap.Ratio(prev, cur, s.Metric, s.match, s.Denominator, s.denMatch)
	case "rate":
		return promsnap.Rate(prev, cur, s.Metric, s.match)
	case "increase":
		return promsnap.Increase(prev, cur, s.Metric, s.match)
	default:
		return cur.Max(s.Metric, s.match)
	}
}
