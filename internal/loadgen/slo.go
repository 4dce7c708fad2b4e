package loadgen

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Verdict is one SLO judged against a result.
type Verdict struct {
	Name      string `json:"name"`
	Objective string `json:"objective"`
	Actual    string `json:"actual"`
	Met       bool   `json:"met"`
}

// ErrSLOMissed is wrapped by Missed when any objective failed, so a caller
// can tell a missed SLO (the shop's fault) from a broken run (ours).
var ErrSLOMissed = errors.New("SLO missed")

// Judge evaluates every objective of slo against the result, in a stable
// order, and stores the verdicts in res.SLO.
func (res *Result) Judge(slo SLO) []Verdict {
	var out []Verdict
	steps := make([]string, 0, len(slo.P99))
	for s := range slo.P99 {
		steps = append(steps, s)
	}
	slices.Sort(steps)
	for _, step := range steps {
		want := slo.P99[step].D()
		v := Verdict{Name: "p99 " + step, Objective: "<= " + want.String()}
		st, ok := res.Steps[step]
		if !ok || st.Count == 0 {
			// No measurements is a miss: an objective that never ran
			// proves nothing, and silently passing it would hide a
			// broken journey.
			v.Actual = "no requests"
		} else {
			got := time.Duration(st.P99 * float64(time.Millisecond))
			v.Actual, v.Met = got.Round(10*time.Microsecond).String(), got <= want
		}
		out = append(out, v)
	}
	if slo.MaxErrorRate != nil {
		out = append(out, Verdict{
			Name: "error rate", Objective: fmt.Sprintf("<= %.2f%%", *slo.MaxErrorRate*100),
			Actual: fmt.Sprintf("%.2f%%", res.ErrorRate*100), Met: res.ErrorRate <= *slo.MaxErrorRate,
		})
	}
	if slo.MinOrdersPerMinute > 0 {
		out = append(out, Verdict{
			Name: "orders per minute", Objective: fmt.Sprintf(">= %.1f", slo.MinOrdersPerMinute),
			Actual: fmt.Sprintf("%.1f", res.OrdersPerMinute), Met: res.OrdersPerMinute >= slo.MinOrdersPerMinute,
		})
	}
	res.SLO = out
	return out
}

// Missed returns an error naming every missed objective, or nil.
func (res *Result) Missed() error {
	var missed []string
	for _, v := range res.SLO {
		if !v.Met {
			missed = append(missed, fmt.Sprintf("%s: wanted %s, got %s", v.Name, v.Objective, v.Actual))
		}
	}
	if len(missed) == 0 {
		return nil
	}
	return fmt.Errorf("%w (%d of %d): %s", ErrSLOMissed, len(missed), len(res.SLO), strings.Join(missed, "; "))
}
