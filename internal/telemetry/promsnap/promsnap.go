// Package promsnap reads a Prometheus registry the way a Prometheus server
// would, without one: it takes snapshots (Gather) and computes rates,
// increases, ratios and histogram quantiles between two of them. The
// console's live charts and the built-in alarms both stand on it, so both
// see the same numbers the exported /metrics gives an outside Prometheus.
package promsnap

import (
	"fmt"
	"regexp"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
)

// Snapshot is one gathering of a registry.
type Snapshot struct {
	At   time.Time
	fams map[string]*dto.MetricFamily
}

// Take gathers g. Gathering errors that still returned families (one bad
// collector) are reported but the families are kept.
func Take(g prometheus.Gatherer, at time.Time) (Snapshot, error) {
	fams, err := g.Gather()
	s := Snapshot{At: at, fams: make(map[string]*dto.MetricFamily, len(fams))}
	for _, f := range fams {
		s.fams[f.GetName()] = f
	}
	return s, err
}

// Has reports whether the snapshot has a family of that name, so a chart or
// alarm can tell "not running" from "zero".
func (s Snapshot) Has(name string) bool { _, ok := s.fams[name]; return ok }

// Matcher selects series by label values, each a regular expression matched
// against the whole value (as PromQL's =~). An empty Matcher selects all.
type Matcher []labelMatch

type labelMatch struct {
	name string
	re   *regexp.Regexp
}

// NewMatcher compiles label -> pattern pairs.
func NewMatcher(m map[string]string) (Matcher, error) {
	out := make(Matcher, 0, len(m))
	for name, pat := range m {
		re, err := regexp.Compile("^(?:" + pat + ")$")
		if err != nil {
			return nil, fmt.Errorf("label %s: %w", name, err)
		}
		out = append(out, labelMatch{name: name, re: re})
	}
	return out, nil
}

// MustMatcher is NewMatcher for patterns written in code.
func MustMatcher(m map[string]string) Matcher {
	out, err := NewMatcher(m)
	if err != nil {
		panic(err)
	}
	return out
}

func (m Matcher) matches(metric *dto.Metric) bool {
	for _, lm := range m {
		v := ""
		for _, lp := range metric.GetLabel() {
			if lp.GetName() == lm.name {
				v = lp.GetValue()
				break
			}
		}
		if !lm.re.MatchString(v) {
			return false
		}
	}
	return true
}

// Sum adds the values of the matching counter, gauge or untyped series.
func (s Snapshot) Sum(name string, m Matcher) (float64, bool) {
	f, ok := s.fams[name]
	if !ok {
		return 0, false
	}
	var sum float64
	for _, metric := range f.GetMetric() {
		if m.matches(metric) {
			sum += value(metric)
		}
	}
	return sum, true
}

// Max returns the largest value of the matching series (a gauge such as
// consumer lag, where the worst queue is what matters).
func (s Snapshot) Max(name string, m Matcher) (float64, bool) {
	f, ok := s.fams[name]
	if !ok {
		return 0, false
	}
	found, best := false, 0.0
	for _, metric := range f.GetMetric() {
		if v := value(metric); m.matches(metric) && (!found || v > best) {
			found, best = true, v
		}
	}
	return best, found
}

func value(m *dto.Metric) float64 {
	switch {
	case m.Counter != nil:
		return m.Counter.GetValue()
	case m.Gauge != nil:
		return m.Gauge.GetValue()
	case m.Untyped != nil:
		return m.Untyped.GetValue()
	case m.Histogram != nil:
		return float64(m.Histogram.GetSampleCount())
	case m.Summary != nil:
		return float64(m.Summary.GetSampleCount())
	}
	return 0
}
