package rehearse

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Prices are what one instance of each role costs per hour, in the user's
// currency ("app", "worker", "edge", "nats", "db"; any name is accepted).
type Prices map[string]float64

// ParsePrices reads "role=price" pairs separated by commas or newlines
// ("app=0.096,worker=0.048"); "instance-hour=X" prices every role the run
// used that has no price of its own. Lines starting with # are comments, so
// a file of one pair a line works too.
func ParsePrices(s string) (Prices, error) {
	p := Prices{}
	for _, line := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == '\n' }) {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		k = strings.TrimSpace(k)
		if !ok || k == "" {
			return nil, fmt.Errorf("price %q: want role=price per hour", line)
		}
		f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
		if err != nil || f < 0 || math.IsInf(f, 0) || math.IsNaN(f) {
			return nil, fmt.Errorf("price %q: want a number of 0 or more", line)
		}
		p[k] = f
	}
	return p, nil
}

// Fleet is one role of the fleet that ran and how busy its load kept it.
type Fleet struct {
	Role      string `json:"role"`
	Instances int    `json:"instances"`
	// Load is the role's load per second of the run (requests for the app,
	// accepted orders for the worker); nil means a flat load.
	Load []float64 `json:"-"`
}

// CostLine is one role's share of the estimate.
type CostLine struct {
	Role         string  `json:"role"`
	PricePerHour float64 `json:"price_per_hour"`
	Instances    int     `json:"instances"`
	// FixedHours is what ran: a fixed fleet sized for the run's peak, kept
	// for the whole run.
	FixedHours float64 `json:"fixed_fleet_instance_hours"`
	FixedCost  float64 `json:"fixed_fleet_cost"`
	// ElasticHours is what a perfectly elastic fleet of the same instances
	// would have used: instances × the load's share of its peak, second by
	// second. The gap is the headroom a fixed fleet pays for.
	ElasticHours float64 `json:"elastic_instance_hours"`
	ElasticCost  float64 `json:"elastic_cost"`
}

// Cost is the estimate.
type Cost struct {
	Method       string     `json:"method"`
	RunSeconds   float64    `json:"run_seconds"`
	Lines        []CostLine `json:"lines"`
	FixedTotal   float64    `json:"fixed_fleet_total"`
	ElasticTotal float64    `json:"elastic_total"`
	Unpriced     []string   `json:"unpriced,omitempty"`
}

// Estimate prices the run. The fleet that ran is fixed and sized for the
// peak, so its instance-hours are instances × the run's length. Against it
// stands an ideal elastic fleet: each second it runs instances × load(t) /
// peak load, assuming one instance's capacity is what the peak needed of
// it. Cost is instance-hours × the role's price per hour ("instance-hour"
// prices roles without a price of their own; roles with neither are listed
// as unpriced and cost nothing).
func Estimate(p Prices, fleet []Fleet, run time.Duration) Cost {
	c := Cost{RunSeconds: run.Seconds(),
		Method: "fixed fleet: instances × run length; elastic: instances × Σ load(t)/peak load over the run's seconds; cost: instance-hours × the role's price per hour"}
	for _, f := range fleet {
		price, ok := p[f.Role]
		if !ok {
			price, ok = p["instance-hour"]
		}
		if !ok {
			c.Unpriced = append(c.Unpriced, f.Role)
		}
		l := CostLine{Role: f.Role, PricePerHour: price, Instances: f.Instances,
			FixedHours: float64(f.Instances) * run.Hours()}
		l.ElasticHours = float64(f.Instances) * utilisation(f.Load) * run.Hours()
		l.FixedCost, l.ElasticCost = l.FixedHours*price, l.ElasticHours*price
		c.FixedTotal += l.FixedCost
		c.ElasticTotal += l.ElasticCost
		c.Lines = append(c.Lines, l)
	}
	slices.Sort(c.Unpriced)
	return c
}

// utilisation is the mean of load over its peak (1 for a flat or empty load).
func utilisation(load []float64) float64 {
	var sum, peak float64
	for _, x := range load {
		sum += x
		peak = max(peak, x)
	}
	if peak <= 0 {
		return 1
	}
	return sum / float64(len(load)) / peak
}
