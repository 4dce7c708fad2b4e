package rehearse

import (
	"fmt"
	"strings"

	"github.com/peakshop/peakshop/internal/loadgen"
)

// fleetDecision is the scaling decision record of a fleet nobody scales:
// peakshop has no autoscaler yet, so the one decision is the fixed fleet,
// written down as such rather than dressed up as a choice.
func fleetDecision(fleet []Fleet) string {
	var parts []string
	for _, f := range fleet {
		parts = append(parts, fmt.Sprintf("%d %s", f.Instances, f.Role))
	}
	return "fixed fleet: " + strings.Join(parts, ", ") + " (no autoscaler: nothing scaled during the run)"
}

// loadOf is a role's load per second, for the elastic cost estimate: the
// app serves every request, the worker carries the accepted orders, and
// NATS has no load signal of its own here (flat).
func loadOf(role string, r *loadgen.Result) []float64 {
	if r == nil {
		return nil
	}
	var out []float64
	for _, p := range r.Timeline {
		switch role {
		case "app":
			out = append(out, float64(p.Requests+p.Hostile))
		case "worker":
			out = append(out, float64(p.Orders))
		default:
			return nil
		}
	}
	return out
}
