package ratelimit

import "github.com/prometheus/client_golang/prometheus"

var (
	descBlocks = prometheus.NewDesc("peakshop_ratelimit_blocks_total",
		"Requests refused (429 or the challenge page) by a rate-based rule, by rule name.", []string{"rule", "action"}, nil)
	descFailOpen = prometheus.NewDesc("peakshop_ratelimit_fail_open_total",
		"Rule checks let through because the shared counters (Redis) could not be reached in time.", nil, nil)
)

// Collector reports the limiter's per-rule counters (kept by the
// middleware anyway) as peakshop_ratelimit_blocks_total{rule, action}.
// Rule names come from configuration, so the label is bounded.
func (l *Limiter) Collector() prometheus.Collector { return limiterCollector{l} }

type limiterCollector struct{ l *Limiter }

func (c limiterCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- descBlocks
	ch <- descFailOpen
}

func (c limiterCollector) Collect(ch chan<- prometheus.Metric) {
	for _, r := range c.l.rules {
		action := r.Action
		if action == "" {
			action = ActionBlock
		}
		ch <- prometheus.MustNewConstMetric(descBlocks, prometheus.CounterValue, float64(r.blocks.Load()), r.Name, action)
	}
	ch <- prometheus.MustNewConstMetric(descFailOpen, prometheus.CounterValue, float64(c.l.FailOpen()))
}
