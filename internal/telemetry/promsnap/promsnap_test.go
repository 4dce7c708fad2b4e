package promsnap_test

import (
	"math"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/peakshop/peakshop/internal/telemetry/promsnap"
)

func mustTake(tb testing.TB, g prometheus.Gatherer, at time.Time) promsnap.Snapshot {
	tb.Helper()
	s, err := promsnap.Take(g, at)
	if err != nil {
		tb.Fatal(err)
	}
	return s
}

func TestDeltas(t *testing.T) {
	reg := prometheus.NewRegistry()
	req := prometheus.NewCounterVec(prometheus.CounterOpts{Name: "req_total"}, []string{"code"})
	dur := prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "dur_seconds", Buckets: []float64{.1, .2, .4, .8}}, []string{"route"})
	reg.MustRegister(req, dur)
	t0 := time.Unix(1000, 0)
	req.WithLabelValues("200").Add(100)
	dur.WithLabelValues("a").Observe(5) // before the window: must not count
	prev := mustTake(t, reg, t0)

	req.WithLabelValues("200").Add(90)
	req.WithLabelValues("503").Add(10)
	for i := 0; i < 100; i++ {
		dur.WithLabelValues("a").Observe(0.15) // all in (0.1, 0.2]
	}
	cur := mustTake(t, reg, t0.Add(10*time.Second))

	all := promsnap.Matcher(nil)
	five := promsnap.MustMatcher(map[string]string{"code": "5.."})
	tests := []struct {
		name string
		got  func() (float64, bool)
		want float64
		ok   bool
	}{
		{"increase", func() (float64, bool) { return promsnap.Increase(prev, cur, "req_total", all) }, 100, true},
		{"rate", func() (float64, bool) { return promsnap.Rate(prev, cur, "req_total", all) }, 10, true},
		{"ratio", func() (float64, bool) { return promsnap.Ratio(prev, cur, "req_total", five, "req_total", all) }, 0.1, true},
		{"no traffic is no ratio", func() (float64, bool) { return promsnap.Ratio(cur, cur, "req_total", five, "req_total", all) }, 0, false},
		{"p50 inside bucket", func() (float64, bool) { return promsnap.Quantile(prev, cur, "dur_seconds", all, 0.5) }, 0.15, true},
		{"p99", func() (float64, bool) { return promsnap.Quantile(prev, cur, "dur_seconds", all, 0.99) }, 0.199, true},
		{"missing family", func() (float64, bool) { return promsnap.Rate(prev, cur, "nope_total", all) }, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := tt.got()
			if ok != tt.ok || math.Abs(got-tt.want) > 1e-9 {
				t.Fatalf("got %v, %v; want %v, %v", got, ok, tt.want, tt.ok)
			}
		})
	}
}

func TestCounterReset(t *testing.T) {
	reg1, reg2 := prometheus.NewRegistry(), prometheus.NewRegistry()
	c1 := prometheus.NewCounter(prometheus.CounterOpts{Name: "c_total"})
	c2 := prometheus.NewCounter(prometheus.CounterOpts{Name: "c_total"})
	reg1.MustRegister(c1)
	reg2.MustRegister(c2)
	c1.Add(50)
	c2.Add(7) // the process restarted: the counter starts again
	got, _ := promsnap.Increase(mustTake(t, reg1, time.Unix(0, 0)), mustTake(t, reg2, time.Unix(1, 0)), "c_total", nil)
	if got != 7 {
		t.Fatalf("increase across reset = %v, want 7", got)
	}
}
