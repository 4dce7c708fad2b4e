package telemetry

import "github.com/prometheus/client_golang/prometheus"

// RegisterInstance adds peakshop_instance_up{role} = 1 to reg: summed over
// every scraped process it is the number of instances up per role (app,
// worker, edge), what the console's and the dashboard's instance charts
// show. A process that is down reports nothing, which is the point.
func RegisterInstance(reg prometheus.Registerer, role string) error {
	up := prometheus.NewGauge(prometheus.GaugeOpts{
		Name: "peakshop_instance_up", Help: "1 for each running peakshop process, by role; sum it for the instance count.",
		ConstLabels: prometheus.Labels{"role": role},
	})
	up.Set(1)
	return reg.Register(up)
}
