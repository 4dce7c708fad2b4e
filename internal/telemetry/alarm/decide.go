package alarm

import "fmt"

// decide is the N-of-M rule over the window (oldest first): ALARM when at
// least Datapoints of the last Periods breach; INSUFFICIENT_DATA when no
// period had data (after Missing is applied); OK otherwise.
func (r *Rule) decide(window []*float64) (State, string) {
	breaching, known := 0, 0
	for _, dp := range window {
		switch {
		case dp != nil:
			known++
			if r.breaches(*dp) {
				breaching++
			}
		case r.Missing == "breaching":
			known++
			breaching++
		case r.Missing == "not_breaching":
			known++
		}
	}
	switch {
	case breaching >= r.Datapoints:
		return Alarm, fmt.Sprintf("%d of the last %d periods %s %g", breaching, len(window), r.Comparison, r.Threshold)
	case known == 0:
		return InsufficientData, fmt.Sprintf("no data in the last %d periods", len(window))
	default:
		return OK, fmt.Sprintf("%d of the last %d periods %s %g (alarm at %d)", breaching, len(window), r.Comparison, r.Threshold, r.Datapoints)
	}
}
