package rehearse

import (
	"strings"
	"testing"

	"github.com/peakshop/peakshop/internal/chaos"
)

// The default experiment against the shops a rehearsal meets: its own on
// SQLite skips only the database faults (no connection to slow), its own on
// PostgreSQL skips nothing, and a running shop keeps only what reaches it
// from outside (the payment fault through its control listener).
func TestApplicableSaysWhyEachFaultIsSkipped(t *testing.T) {
	exp, err := DefaultExperiment()
	if err != nil {
		t.Fatal(err)
	}
	link := &chaos.Link{}
	own := func(db bool) chaos.Targets {
		tg := chaos.Targets{Processes: map[string]chaos.Process{"app": nil, "worker": nil},
			Links: map[string]*chaos.Link{"app-nats": link, "worker-nats": link}, Controls: []string{"http://127.0.0.1:1"}, AdminToken: "x"}
		if db {
			tg.Links["app-db"], tg.Links["worker-db"] = link, link
		}
		return tg
	}
	running := chaos.Targets{Controls: []string{"http://127.0.0.1:1"}, AdminToken: "x"}
	tests := []struct {
		name    string
		t       chaos.Targets
		sqlite  bool
		kept    []string
		skipped map[string]string // fault -> part of its reason
	}{
		{"own shop on SQLite", own(false), true, []string{"payment", "kill worker", "cut app-nats", "cut worker-nats"},
			map[string]string{"latency app-db": "SQLite", "latency worker-db": "SQLite"}},
		{"own shop on PostgreSQL", own(true), false, []string{"payment", "kill worker", "cut app-nats", "cut worker-nats", "latency app-db", "latency worker-db"}, nil},
		{"running shop on PostgreSQL", running, false, []string{"payment"},
			map[string]string{"kill worker": "did not start", "cut app-nats": "no fault link", "cut worker-nats": "no fault link",
				"latency app-db": "no fault link", "latency worker-db": "no fault link"}},
		{"running shop without --control", chaos.Targets{}, true, nil,
			map[string]string{"payment": "--control", "kill worker": "did not start", "latency app-db": "SQLite"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, skipped := applicable(exp, tc.t, tc.sqlite)
			var kept []string
			for _, f := range got.Faults {
				kept = append(kept, f.String())
			}
			if strings.Join(kept, ",") != strings.Join(tc.kept, ",") {
				t.Errorf("kept %v, want %v", kept, tc.kept)
			}
			if len(got.Faults)+len(skipped) != len(exp.Faults) {
				t.Errorf("%d kept + %d skipped of %d faults", len(got.Faults), len(skipped), len(exp.Faults))
			}
			for _, s := range skipped {
				name := strings.TrimSpace(s.Fault + " " + s.Target)
				if why, ok := tc.skipped[name]; ok && !strings.Contains(s.Reason, why) {
					t.Errorf("%s skipped because %q, want it to say %q", name, s.Reason, why)
				}
				if s.Reason == "" || s.Duration == 0 {
					t.Errorf("skipped %+v without a reason or its planned time", s)
				}
			}
		})
	}
}
