package waf

import "github.com/prometheus/client_golang/prometheus"

var descBlocks = prometheus.NewDesc("peakshop_waf_blocks_total",
	"Requests the firewall refused (or, in detect mode, would have: rule detect:949110), by layer (guard, crs) and rule.",
	[]string{"layer", "rule"}, nil)

// Collector reports the blocks counted by the guard and the rule set as
// peakshop_waf_blocks_total{layer, rule}. It reads the counters the
// middlewares keep anyway, so blocking pays nothing more for metrics.
//
// The rule label is bounded: the guard's rule names come from its
// configuration (ip-deny, match:<configured name>, body-limit:<configured
// prefix>) and the rule set's are CRS rule ids, a fixed set; never a path,
// address or anything from the request. Either source may be nil.
func Collector(guard *Guard, rules *RuleSet) prometheus.Collector {
	return blocksCollector{guard: guard, rules: rules}
}

type blocksCollector struct {
	guard *Guard
	rules *RuleSet
}

func (c blocksCollector) Describe(ch chan<- *prometheus.Desc) { ch <- descBlocks }

func (c blocksCollector) Collect(ch chan<- prometheus.Metric) {
	emit := func(layer string, blocks map[string]int64) {
		for rule, n := range blocks {
			ch <- prometheus.MustNewConstMetric(descBlocks, prometheus.CounterValue, float64(n), layer, rule)
		}
	}
	if c.guard != nil {
		emit("guard", c.guard.Blocks())
	}
	if c.rules != nil {
		emit("crs", c.rules.Blocks())
	}
}
