package rehearse

import (
	"errors"
	"strings"
	"testing"

	"github.com/peakshop/peakshop/internal/chaos"
	"github.com/peakshop/peakshop/internal/loadgen"
)

func TestResultErr(t *testing.T) {
	ok := func() *Result {
		return &Result{ChaosRan: true, Chaos: chaos.Result{SteadyStateBefore: true, SteadyStateAfter: true},
			Verdicts: []loadgen.Verdict{{Name: "error rate", Met: true}},
			Audit:    Audit{Passed: true, Checks: []Check{{Name: "stock", Passed: true}}}}
	}
	if err := ok().Err(); err != nil {
		t.Fatalf("a clean rehearsal failed: %v", err)
	}
	for name, tc := range map[string]struct {
		spoil func(*Result)
		want  string
	}{
		"missed SLO":      {func(r *Result) { r.Verdicts[0].Met = false }, "SLO error rate"},
		"failed audit":    {func(r *Result) { r.Audit.Checks[0].Passed = false }, "audit: stock"},
		"chaos error":     {func(r *Result) { r.ChaosErr = "link gone" }, "chaos: link gone"},
		"aborted":         {func(r *Result) { r.Chaos.Aborted, r.Chaos.AbortReason = true, "probe" }, "chaos aborted"},
		"did not recover": {func(r *Result) { r.Chaos.SteadyStateAfter = false }, "after them false"},
	} {
		r := ok()
		tc.spoil(r)
		if err := r.Err(); !errors.Is(err, ErrFailed) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err = %v", name, err)
		}
	}
}
