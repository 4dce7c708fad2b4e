package rehearse

import (
	"fmt"
	"time"

	"github.com/peakshop/peakshop/internal/chaos"
	"github.com/peakshop/peakshop/internal/messaging/jetstream"
)

// DeadLetter is a message a subscriber gave up on (jetstream's record).
type DeadLetter = jetstream.DeadLetter

// FaultWindow is when one injected fault was in force.
type FaultWindow struct {
	Fault  string    `json:"fault"`
	Target string    `json:"target"`
	Start  time.Time `json:"start"`
	End    time.Time `json:"end"`
	Detail string    `json:"detail,omitempty"`
}

// explainAfter is how long after a fault is undone a dead letter may still
// be its doing: a message that failed during the fault is redelivered with
// backoff (up to tens of seconds between attempts) before it is given up on.
const explainAfter = 90 * time.Second

// DeadLetterCheck is one dead letter and the fault that explains it, if any.
type DeadLetterCheck struct {
	Seq       uint64    `json:"seq"`
	Consumer  string    `json:"consumer"`
	Subject   string    `json:"subject"`
	EventID   string    `json:"event_id"`
	Error     string    `json:"error"`
	Attempts  int       `json:"attempts"`
	FailedAt  time.Time `json:"failed_at"`
	Explained string    `json:"explained_by,omitempty"`
}

// Windows pairs a chaos run's inject and undo events into fault windows. A
// fault never undone (the run ended first) lasts until end.
func Windows(events []chaos.Event, end time.Time) []FaultWindow {
	var out []FaultWindow
	open := map[string]int{} // fault+target -> index in out
	for _, e := range events {
		key := e.Fault + " " + e.Target
		switch e.Phase {
		case chaos.PhaseInject:
			open[key] = len(out)
			out = append(out, FaultWindow{Fault: e.Fault, Target: e.Target, Start: e.At, Detail: e.Detail})
		case chaos.PhaseUndo:
			if i, ok := open[key]; ok {
				out[i].End = e.At
				delete(open, key)
			}
		}
	}
	for _, i := range open {
		out[i].End = end
	}
	return out
}

// checkDeadLetters: each dead letter must have failed while a fault was in
// force or within explainAfter of its undo; any other is a bug the faults
// cannot excuse.
func checkDeadLetters(dls []DeadLetter, faults []FaultWindow, unread bool, a *Audit) Check {
	c := Check{Name: "no dead letter left unexplained", Passed: true}
	if unread {
		c.problem("the dead-letter stream was not read: give the shop's NATS URL (--nats)")
		c.Summary = "not checked"
		return c
	}
	explained := 0
	for _, d := range dls {
		dc := DeadLetterCheck{Seq: d.Seq, Consumer: d.Consumer, Subject: d.Subject, EventID: d.EventID,
			Error: d.Error, Attempts: d.Attempts, FailedAt: d.FailedAt}
		for _, f := range faults {
			if !d.FailedAt.Before(f.Start) && !d.FailedAt.After(f.End.Add(explainAfter)) {
				dc.Explained = fmt.Sprintf("%s %s (%s to %s)", f.Fault, f.Target, f.Start.Format(time.TimeOnly), f.End.Format(time.TimeOnly))
				break
			}
		}
		if dc.Explained == "" {
			c.problem("dead letter %d: %s gave up on %s (%s) after %d attempts at %s: %s; no fault was in force",
				d.Seq, d.Consumer, d.EventID, d.Subject, d.Attempts, d.FailedAt.Format(time.TimeOnly), d.Error)
		} else {
			explained++
		}
		a.DeadLetters = append(a.DeadLetters, dc)
	}
	c.Summary = fmt.Sprintf("%d dead letters, %d matched to an injected fault window (or up to %s after it)", len(dls), explained, explainAfter)
	return c
}
