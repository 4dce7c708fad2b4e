package rehearse

import (
	"math"
	"testing"
	"time"
)

func TestParsePrices(t *testing.T) {
	p, err := ParsePrices("app=0.096, worker=0.048\n# comment\ninstance-hour=0.05")
	if err != nil || p["app"] != 0.096 || p["worker"] != 0.048 || p["instance-hour"] != 0.05 || len(p) != 3 {
		t.Fatalf("ParsePrices = %v, %v", p, err)
	}
	for _, bad := range []string{"app", "=1", "app=-1", "app=x", "app=NaN"} {
		if _, err := ParsePrices(bad); err == nil {
			t.Errorf("ParsePrices(%q): no error", bad)
		}
	}
}

func TestEstimate(t *testing.T) {
	p := Prices{"app": 0.10, "instance-hour": 0.01}
	// Half the run at full load, half at nothing: an elastic fleet needs
	// half the fixed fleet's hours.
	c := Estimate(p, []Fleet{
		{Role: "app", Instances: 2, Load: []float64{10, 10, 0, 0}},
		{Role: "worker", Instances: 1},
		{Role: "nats", Instances: 1},
	}, time.Hour)
	near := func(a, b float64) bool { return math.Abs(a-b) < 1e-9 }
	app := c.Lines[0]
	if !near(app.FixedHours, 2) || !near(app.ElasticHours, 1) || !near(app.FixedCost, 0.2) || !near(app.ElasticCost, 0.1) {
		t.Errorf("app = %+v", app)
	}
	if w := c.Lines[1]; !near(w.FixedHours, 1) || !near(w.ElasticHours, 1) || w.PricePerHour != 0.01 {
		t.Errorf("worker = %+v", w)
	}
	if !near(c.FixedTotal, 0.22) || !near(c.ElasticTotal, 0.12) || len(c.Unpriced) != 0 {
		t.Errorf("cost = %+v", c)
	}
	if c := Estimate(Prices{}, []Fleet{{Role: "app", Instances: 1}}, time.Minute); len(c.Unpriced) != 1 || c.FixedTotal != 0 {
		t.Errorf("unpriced = %+v", c)
	}
}
