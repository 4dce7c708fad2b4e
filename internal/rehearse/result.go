package rehearse

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/peakshop/peakshop/internal/chaos"
	"github.com/peakshop/peakshop/internal/loadgen"
)

// Result is everything a rehearsal saw, written as result.json and drawn
// by the report. Times are absolute; the report puts them on one axis
// starting at Load.Started.
type Result struct {
	Target      string    `json:"target"`
	SelfStarted bool      `json:"self_started"` // the rehearsal started the shop itself
	Database    string    `json:"database"`     // engine: sqlite or postgres
	Started     time.Time `json:"started"`
	Seconds     float64   `json:"seconds"` // the whole rehearsal, drain and audit included

	Load     *loadgen.Result `json:"load"`
	Chaos    chaos.Result    `json:"chaos"`
	ChaosRan bool            `json:"chaos_ran"` // an experiment with at least one fault ran
	ChaosErr string          `json:"chaos_error,omitempty"`
	Skipped  []SkippedFault  `json:"skipped_faults,omitempty"` // faults this shop could not take, and why
	Faults   []FaultWindow   `json:"fault_windows"`
	Hot      []hotProduct    `json:"flash_sale_products,omitempty"`
	// FlashSale is the scenario's flash sale, for the report's axis.
	FlashSale *loadgen.FlashSale `json:"flash_sale,omitempty"`
	Baseline  Baseline           `json:"baseline"`
	Drain     Drain              `json:"drain"`
	Alarms    []AlarmChange      `json:"alarm_changes"`
	Firing    []AlarmWindow      `json:"alarm_windows"`
	AlarmErr  string             `json:"alarm_poll_error,omitempty"`
	Scaling   []ScalingRecord    `json:"scaling_decisions"`
	Fleet     []Fleet            `json:"fleet"`
	Cost      Cost               `json:"cost"`
	Audit     Audit              `json:"audit"`
	Verdicts  []loadgen.Verdict  `json:"slo"`
	Passed    bool               `json:"passed"`

	accepted []loadgen.AcceptedOrder // what the audit checks; counted in Audit.Accepted
}

// Drain is the wait after the load for the pipeline to settle every order.
type Drain struct {
	Seconds   float64 `json:"seconds"`
	Settled   bool    `json:"settled"`
	Unsettled int     `json:"unsettled_at_end"`
	Outbox    int     `json:"outbox_backlog_at_end"`
}

// ScalingRecord is one entry of the scaling decision record. There is no
// autoscaler yet, so the record says what ran and that nothing changed it.
type ScalingRecord struct {
	At       time.Time `json:"at"`
	Decision string    `json:"decision"`
}

// ErrFailed is wrapped by Result.Err when an SLO or the audit failed, so a
// command can tell a failed rehearsal (the shop's fault) from one that
// could not run.
var ErrFailed = errors.New("rehearsal failed")

// Err names what failed, or nil.
func (r *Result) Err() error {
	var why []string
	for _, v := range r.Verdicts {
		if !v.Met {
			why = append(why, fmt.Sprintf("SLO %s: wanted %s, got %s", v.Name, v.Objective, v.Actual))
		}
	}
	for _, c := range r.Audit.Checks {
		if !c.Passed {
			why = append(why, "audit: "+c.Name+": "+c.Summary)
		}
	}
	if r.ChaosErr != "" {
		why = append(why, "chaos: "+r.ChaosErr)
	}
	if r.Chaos.Aborted {
		why = append(why, "chaos aborted: "+r.Chaos.AbortReason)
	}
	if r.ChaosRan && !r.Chaos.Aborted && r.ChaosErr == "" && !(r.Chaos.SteadyStateBefore && r.Chaos.SteadyStateAfter) {
		why = append(why, fmt.Sprintf("steady state: before the faults %t, after them %t (the shop did not hold or did not recover)",
			r.Chaos.SteadyStateBefore, r.Chaos.SteadyStateAfter))
	}
	if len(why) == 0 {
		return nil
	}
	return fmt.Errorf("%w: %s", ErrFailed, strings.Join(why, "; "))
}

// WriteJSON writes the result, indented.
func (r *Result) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(r); err != nil {
		return fmt.Errorf("write result: %w", err)
	}
	return nil
}
