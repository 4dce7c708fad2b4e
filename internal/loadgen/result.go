package loadgen

import (
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"strconv"
	"time"
)

// Result is what a run measured, written as results.json and drawn by the
// HTML report. Latencies are in milliseconds.
type Result struct {
	Scenario        string                  `json:"scenario"`
	Target          string                  `json:"target"`
	Profile         ProfileSpec             `json:"profile"`
	Seed            uint64                  `json:"seed"` // --seed repeats the shoppers' choices
	Started         time.Time               `json:"started"`
	Seconds         float64                 `json:"seconds"`
	StoppedBy       string                  `json:"stopped_by"`
	Requests        int64                   `json:"requests"`
	HostileRequests int64                   `json:"hostile_requests"`
	RequestsPerSec  float64                 `json:"requests_per_sec"`
	Arrivals        int64                   `json:"arrivals"`
	LateArrivals    int64                   `json:"late_arrivals"`
	Unsent          int64                   `json:"unsent_arrivals"` // scheduled, never sent: the generator fell too far behind
	MaxLatenessMS   float64                 `json:"max_lateness_ms"`
	ErrorRate       float64                 `json:"error_rate"`
	OrdersPerMinute float64                 `json:"orders_per_minute"`
	Steps           map[string]StepResult   `json:"steps"`
	Errors          map[string]int64        `json:"errors"`
	Statuses        map[string]int64        `json:"statuses"`
	Funnel          Funnel                  `json:"funnel"`
	Hostile         map[string]HostileStats `json:"hostile"`
	Timeline        []Point                 `json:"timeline"`
	SLO             []Verdict               `json:"slo"`
}

// StepResult is the latency of one step in milliseconds.
type StepResult struct {
	Count  int64   `json:"count"`
	Errors int64   `json:"errors"`
	Mean   float64 `json:"mean_ms"`
	P50    float64 `json:"p50_ms"`
	P90    float64 `json:"p90_ms"`
	P99    float64 `json:"p99_ms"`
	P999   float64 `json:"p999_ms"`
	Max    float64 `json:"max_ms"`
}

// Funnel follows shoppers from arrival to order. Attempts = Orders +
// Declines + OutOfStock + Failed: every checkout ends in exactly one.
type Funnel struct {
	Sessions        int64 `json:"sessions"`
	HostileSessions int64 `json:"hostile_sessions"`
	Carts           int64 `json:"carts"`
	Attempts        int64 `json:"checkout_attempts"`
	Orders          int64 `json:"orders"`
	Declines        int64 `json:"declines"`
	OutOfStock      int64 `json:"out_of_stock"`
	Failed          int64 `json:"checkout_failed"`
	Abandoned       int64 `json:"abandoned"`
}

// HostileStats is what the shop did with one kind of attack: Blocked (403,
// 429) and Rejected (other 4xx) are good answers, Passed means the attack
// got a 2xx or 3xx, ServerErrors mean it hurt.
type HostileStats struct {
	Requests     int64 `json:"requests"`
	Blocked      int64 `json:"blocked"`
	Rejected     int64 `json:"rejected"`
	Passed       int64 `json:"passed"`
	ServerErrors int64 `json:"server_errors"`
	Failed       int64 `json:"transport_errors"`
}

// Point is one second of the run.
type Point struct {
	T        float64 `json:"t"`
	Requests int64   `json:"requests"`
	Errors   int64   `json:"errors"`
	Hostile  int64   `json:"hostile"`
	Orders   int64   `json:"orders"`
	InFlight int64   `json:"in_flight"`
	P50      float64 `json:"p50_ms"`
	P99      float64 `json:"p99_ms"`
}

// Result summarises what the recorder holds after elapsed.
func (r *Recorder) Result(elapsed time.Duration) *Result {
	r.mu.Lock()
	defer r.mu.Unlock()
	f := &r.funnel
	res := &Result{
		Started: r.start, Seconds: elapsed.Seconds(),
		Arrivals: r.arrivals.Load(), LateArrivals: r.late.Load(), Unsent: r.unsent.Load(), MaxLatenessMS: float64(r.lateMax.Load()) / 1e6,
		Steps: map[string]StepResult{}, Errors: maps.Clone(r.errs), Statuses: map[string]int64{},
		Hostile: map[string]HostileStats{}, Timeline: append([]Point(nil), r.timeline...),
		Funnel: Funnel{
			Sessions: f.sessions.Load(), HostileSessions: f.hostileSessions.Load(), Carts: f.carts.Load(),
			Attempts: f.attempts.Load(), Orders: f.orders.Load(), Declines: f.declines.Load(),
			OutOfStock: f.outOfStock.Load(), Failed: f.failed.Load(), Abandoned: f.abandoned.Load(),
		},
	}
	for name, s := range r.steps {
		h := s.hist
		res.Steps[name] = StepResult{
			Count: h.TotalCount(), Errors: s.errors, Mean: h.Mean() / 1000,
			P50: ms(h.ValueAtQuantile(50)), P90: ms(h.ValueAtQuantile(90)), P99: ms(h.ValueAtQuantile(99)),
			P999: ms(h.ValueAtQuantile(99.9)), Max: ms(h.Max()),
		}
	}
	for code, n := range r.statuses {
		if n > 0 {
			res.Statuses[strconv.Itoa(code)] = n
		}
	}
	for k, v := range r.hostile {
		res.Hostile[k] = *v
		res.HostileRequests += v.Requests
	}
	if all, ok := res.Steps[stepAll]; ok {
		res.Requests = all.Count
		if all.Count > 0 {
			res.ErrorRate = float64(all.Errors) / float64(all.Count)
		}
	}
	if elapsed > 0 {
		res.RequestsPerSec = float64(res.Requests+res.HostileRequests) / elapsed.Seconds()
		res.OrdersPerMinute = float64(res.Funnel.Orders) / elapsed.Minutes()
	}
	return res
}

// WriteJSON writes the result, indented for people and diffs.
func (res *Result) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(res); err != nil {
		return fmt.Errorf("write result: %w", err)
	}
	return nil
}
