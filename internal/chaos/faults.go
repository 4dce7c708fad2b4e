package chaos

import (
	"context"
	"fmt"
)

// apply injects f and returns how to undo it. undo is non-nil whenever
// something may need undoing, also when err is not nil (a fault that failed
// half-way).
func (r *runner) apply(ctx context.Context, f Fault) (undo func(context.Context) error, detail string, err error) {
	switch f.Kind {
	case KindKill:
		p := r.t.Processes[f.Target]
		// Restart is the undo even when the kill failed: the process may
		// have died anyway, and a restart of a living one is a kill first.
		undo = func(ctx context.Context) error { return p.Restart(ctx) }
		detail = "SIGKILL"
		if f.Duration > 0 {
			detail += fmt.Sprintf(", restart after %s", f.Duration.D())
		} else {
			detail += ", restart at the end of the run"
		}
		return undo, detail, p.Kill()
	case KindFreeze:
		p := r.t.Processes[f.Target]
		undo = func(context.Context) error { return p.Thaw() }
		return undo, fmt.Sprintf("SIGSTOP for %s", f.Duration.D()), p.Freeze()
	case KindLatency, KindErrors, KindBlackhole:
		l := r.t.Links[f.Target]
		var id string
		switch f.Kind {
		case KindLatency:
			id, err = l.AddLatency(f.Latency.D(), f.Jitter.D())
			detail = fmt.Sprintf("%s each way", f.Latency.D())
			if f.Jitter > 0 {
				detail = fmt.Sprintf("%s ± %s each way", f.Latency.D(), f.Jitter.D())
			}
		case KindErrors:
			id, err = l.AddResets(f.Rate)
			detail = fmt.Sprintf("%.0f%% of connections reset", f.Rate*100)
		default:
			id, err = l.AddBlackhole()
			detail = "data dropped, connections held"
		}
		if err != nil {
			return nil, "", err // addBoth took back what it added
		}
		return func(context.Context) error { return l.Remove(id) }, detail + fmt.Sprintf(" for %s", f.Duration.D()), nil
	case KindCut:
		l := r.t.Links[f.Target]
		if err := l.Cut(); err != nil {
			return nil, "", err
		}
		return func(context.Context) error { return l.Uncut() }, fmt.Sprintf("connections closed, new ones refused for %s", f.Duration.D()), nil
	case KindPayment:
		s := PaymentSettings{Latency: f.Latency, FailureRate: f.Rate, DeclineRate: f.DeclineRate}
		undo = func(ctx context.Context) error { return r.t.resetPayment(ctx) }
		return undo, fmt.Sprintf("%s on %d control(s) for %s", s, len(r.t.Controls), f.Duration.D()), r.t.setPayment(ctx, s)
	}
	return nil, "", fmt.Errorf("unknown kind %q", f.Kind)
}
