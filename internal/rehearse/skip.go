package rehearse

import (
	"strings"

	"github.com/peakshop/peakshop/internal/chaos"
)

// SkippedFault is a fault of the experiment this rehearsal could not apply,
// with why. It stays in the report's timeline at the time it was planned
// for, so a reader sees what was not tested rather than a quiet gap.
type SkippedFault struct {
	Fault    string         `json:"fault"`
	Target   string         `json:"target,omitempty"`
	Start    chaos.Duration `json:"planned_start"`
	Duration chaos.Duration `json:"planned_duration"`
	Reason   string         `json:"reason"`
}

// String is "kill worker at +55s for 10s: reason".
func (s SkippedFault) String() string {
	name := s.Fault
	if s.Target != "" {
		name += " " + s.Target
	}
	return name + " at +" + s.Start.D().String() + " for " + s.Duration.D().String() + ": " + s.Reason
}

// Why a fault cannot be applied, by what the shop lacks.
const (
	whyNoProcess = "the rehearsal did not start this shop's processes, so it cannot kill, freeze or restart them (rehearse without --target to have it start the shop)"
	whyNoLink    = "no fault link sits on this connection (the rehearsal puts links in front of NATS and PostgreSQL only in a shop it starts)"
	whySQLite    = "the database is embedded SQLite, a file inside each process: there is no connection between the app and the database to slow or cut (rehearse with --db postgres://... for this fault)"
	whyNoControl = "no chaos-control listener to reach (give --control with the shop's --chaos-addr URLs and PEAKSHOP_ADMIN_TOKEN)"
	whyNoNATS    = "no NATS URL to publish to (give --nats)"
)

// applicable drops the faults this shop cannot take (a running shop given
// without its processes or links, a database link on SQLite), each with
// its reason, so the rest of the experiment still runs and the report says
// what did not.
func applicable(exp chaos.Experiment, t chaos.Targets, sqlite bool) (chaos.Experiment, []SkippedFault) {
	var keep []chaos.Fault
	var skipped []SkippedFault
	for _, f := range exp.Faults {
		why := ""
		switch f.Kind {
		case chaos.KindKill, chaos.KindFreeze:
			if _, ok := t.Processes[f.Target]; !ok {
				why = whyNoProcess
			}
		case chaos.KindLatency, chaos.KindErrors, chaos.KindBlackhole, chaos.KindCut:
			if _, ok := t.Links[f.Target]; !ok {
				why = whyNoLink
				if sqlite && isDBLink(f.Target) {
					why = whySQLite
				}
			}
		case chaos.KindPayment:
			if len(t.Controls) == 0 || t.AdminToken == "" {
				why = whyNoControl
			}
		case chaos.KindFillQueue:
			if t.NATSURL == "" {
				why = whyNoNATS
			}
		}
		if why == "" {
			keep = append(keep, f)
			continue
		}
		skipped = append(skipped, SkippedFault{Fault: f.Kind, Target: f.Target, Start: f.Start, Duration: f.Duration, Reason: why})
	}
	exp.Faults = keep
	return exp, skipped
}

// isDBLink reports whether a link name is a process's database connection
// ("app-db", "worker-db"), by the naming the rehearsal and chaos docs use.
func isDBLink(name string) bool {
	return name == "db" || strings.HasSuffix(name, "-db")
}
