package edge

import (
	"net/http"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/peakshop/peakshop/internal/edge/waf"
)

var (
	descUpstreams = prometheus.NewDesc("peakshop_edge_upstream_targets",
		"Upstream targets of a proxy pool.", []string{"pool"}, nil)
	descHealthy = prometheus.NewDesc("peakshop_edge_upstream_targets_healthy",
		"Upstream targets of a proxy pool that take traffic (healthy, not draining, not ejected): the instance count behind the edge.",
		[]string{"pool"}, nil)
)

// Collectors are the edge's Prometheus series, read from the counters and
// state its components keep anyway: firewall blocks by layer and rule, rate-
// rule blocks by rule, and, when the edge proxies to pools, their targets
// and how many take traffic. Register them on the registry /metrics serves.
func (e *Edge) Collectors() []prometheus.Collector {
	cs := []prometheus.Collector{waf.Collector(e.guard, e.rules)}
	if e.limiter != nil {
		cs = append(cs, e.limiter.Collector())
	}
	if e.proxy != nil {
		cs = append(cs, upstreamCollector{e})
	}
	return cs
}

// metricsHandler serves the edge's own series (Collectors, this process
// as peakshop_instance_up{role="edge"}, the Go runtime) on the admin
// listener, for an edge that runs apart (`peakshop edge`); in-process, the
// shop's /metrics carries the same collectors.
func (e *Edge) metricsHandler() http.Handler {
	reg := prometheus.NewRegistry()
	up := prometheus.NewGauge(prometheus.GaugeOpts{Name: "peakshop_instance_up",
		Help: "1 for each running peakshop process, by role; sum it for the instance count.", ConstLabels: prometheus.Labels{"role": "edge"}})
	up.Set(1)
	reg.MustRegister(append(e.Collectors(), up, collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))...)
	return promhttp.HandlerFor(reg, promhttp.HandlerOpts{Registry: reg})
}

type upstreamCollector struct{ e *Edge }

func (c upstreamCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- descUpstreams
	ch <- descHealthy
}

func (c upstreamCollector) Collect(ch chan<- prometheus.Metric) {
	for _, p := range c.e.proxy.Pools() {
		st := p.Status()
		healthy := 0
		for _, t := range st.Targets {
			if t.Healthy && !t.Draining && !t.Ejected {
				healthy++
			}
		}
		ch <- prometheus.MustNewConstMetric(descUpstreams, prometheus.GaugeValue, float64(len(st.Targets)), st.Name)
		ch <- prometheus.MustNewConstMetric(descHealthy, prometheus.GaugeValue, float64(healthy), st.Name)
	}
}
