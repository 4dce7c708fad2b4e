package promsnap

import (
	"math"
	"sort"
	"strings"

	dto "github.com/prometheus/client_model/go"
)

// Increase is how much the matching counters grew from prev to cur. A
// counter that went down was reset (a restart) and counts from zero, as
// PromQL's increase() does. Series new in cur count from zero.
func Increase(prev, cur Snapshot, name string, m Matcher) (float64, bool) {
	f, ok := cur.fams[name]
	if !ok {
		return 0, false
	}
	before := map[string]float64{}
	if pf, ok := prev.fams[name]; ok {
		for _, metric := range pf.GetMetric() {
			before[labelKey(metric)] = value(metric)
		}
	}
	var inc float64
	for _, metric := range f.GetMetric() {
		if !m.matches(metric) {
			continue
		}
		v := value(metric)
		if b, ok := before[labelKey(metric)]; ok && v >= b {
			v -= b
		}
		inc += v
	}
	return inc, true
}

// Rate is Increase per second.
func Rate(prev, cur Snapshot, name string, m Matcher) (float64, bool) {
	inc, ok := Increase(prev, cur, name, m)
	secs := cur.At.Sub(prev.At).Seconds()
	if !ok || secs <= 0 {
		return 0, false
	}
	return inc / secs, true
}

// Ratio is the increase of num over the increase of den; no value when den
// did not grow (no traffic is not a 0% error rate, it is no data).
func Ratio(prev, cur Snapshot, num string, numM Matcher, den string, denM Matcher) (float64, bool) {
	d, ok := Increase(prev, cur, den, denM)
	if !ok || d <= 0 {
		return 0, false
	}
	n, _ := Increase(prev, cur, num, numM)
	return n / d, true
}

// Quantile estimates the q-quantile (0-1) of the observations the matching
// histograms received between prev and cur, interpolating linearly inside a
// bucket as PromQL's histogram_quantile does. No value without observations.
// A quantile in the +Inf bucket is reported as the highest finite bound.
func Quantile(prev, cur Snapshot, name string, m Matcher, q float64) (float64, bool) {
	now, count := buckets(cur, name, m)
	if count == 0 {
		return 0, false
	}
	before, beforeCount := buckets(prev, name, m)
	if beforeCount <= count {
		for ub, c := range before {
			now[ub] -= c
		}
		count -= beforeCount
	}
	if count <= 0 {
		return 0, false
	}
	bounds := make([]float64, 0, len(now))
	for ub := range now {
		bounds = append(bounds, ub)
	}
	sort.Float64s(bounds)
	rank := q * count
	lower, lowerCount := 0.0, 0.0
	for _, ub := range bounds {
		c := now[ub]
		if c >= rank {
			if c == lowerCount {
				return ub, true
			}
			return lower + (ub-lower)*(rank-lowerCount)/(c-lowerCount), true
		}
		lower, lowerCount = ub, c
	}
	return lower, true // in the +Inf bucket
}

// buckets merges the cumulative buckets of the matching histograms.
func buckets(s Snapshot, name string, m Matcher) (map[float64]float64, float64) {
	out := map[float64]float64{}
	var count float64
	f, ok := s.fams[name]
	if !ok {
		return out, 0
	}
	for _, metric := range f.GetMetric() {
		h := metric.GetHistogram()
		if h == nil || !m.matches(metric) {
			continue
		}
		count += float64(h.GetSampleCount())
		for _, b := range h.GetBucket() {
			if !math.IsInf(b.GetUpperBound(), 1) {
				out[b.GetUpperBound()] += float64(b.GetCumulativeCount())
			}
		}
	}
	return out, count
}

// labelKey identifies a series within its family (Gather sorts labels).
func labelKey(m *dto.Metric) string {
	var b strings.Builder
	for _, lp := range m.GetLabel() {
		b.WriteString(lp.GetName())
		b.WriteByte(0)
		b.WriteString(lp.GetValue())
		b.WriteByte(0)
	}
	return b.String()
}
