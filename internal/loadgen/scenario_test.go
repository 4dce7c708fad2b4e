package loadgen

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"
)

func TestDefaultScenario(t *testing.T) {
	s, err := DefaultScenario()
	if err != nil {
		t.Fatal(err)
	}
	if s.Duration.D() > 2*time.Minute || s.MaxRequests <= 0 || len(s.SLO.P99) == 0 || s.SLO.MaxErrorRate == nil {
		t.Fatalf("default scenario is unbounded or has no SLOs: %+v", s)
	}
	if _, err := s.Profile.Build(s.Duration.D(), nil); err != nil {
		t.Fatal(err)
	}
}

func TestScenarioErrors(t *testing.T) {
	base := `"profile":{"kind":"constant","rate":10},"journeys":[{"name":"j","weight":1,"steps":["home"]}]`
	tests := []struct {
		name, in, want string
	}{
		{"unknown field", `{` + base + `,"duraton":"1m"}`, "unknown field"},
		{"trailing data", `{` + base + `} {}`, "trailing data"},
		{"bare number duration", `{` + base + `,"duration":60}`, "duration must be a string"},
		{"too long", `{` + base + `,"duration":"2h"}`, "at most 1h0m0s"},
		{"unknown step", `{"profile":{"kind":"constant","rate":10},"journeys":[{"name":"j","weight":1,"steps":["dance"]}]}`, `unknown step "dance"`},
		{"bad get path", `{"profile":{"kind":"constant","rate":10},"journeys":[{"name":"j","weight":1,"steps":["get //evil"]}]}`, "must start with one /"},
		{"no weight", `{"profile":{"kind":"constant","rate":10},"journeys":[{"name":"j","weight":0,"steps":["home"]}]}`, "add up to nothing"},
		{"bad profile", `{"profile":{"kind":"sine","rate":0},"journeys":[{"name":"j","weight":1,"steps":["home"]}]}`, "profile.rate"},
		{"hostile without mix", `{` + base + `,"hostile":{"share":0.1}}`, "no attack has a weight"},
		{"share above one", `{` + base + `,"decline_share":2}`, "decline_share"},
		{"slo unknown step", `{` + base + `,"slo":{"p99":{"homepage":"1s"}}}`, `unknown step "homepage"`},
		{"think inverted", `{` + base + `,"think_time":{"min":"2s","max":"1s"}}`, "think_time"},
		{"budget", `{` + base + `,"max_requests":-5}`, "max_requests"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseScenario(strings.NewReader(tt.in))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %v, want one mentioning %q", err, tt.want)
			}
		})
	}
}

func TestScenarioListsEveryProblem(t *testing.T) {
	_, err := ParseScenario(strings.NewReader(`{"profile":{"kind":"x","rate":-1},"journeys":[],"decline_share":3}`))
	for _, want := range []string{"profile.kind", "profile.rate", "journeys", "decline_share"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("error %v does not mention %s", err, want)
		}
	}
}

// FuzzParseScenario: any input fails cleanly or gives a scenario that is
// valid, bounded, buildable and survives a JSON round trip unchanged.
func FuzzParseScenario(f *testing.F) {
	f.Add(string(DefaultScenarioJSON()))
	f.Add(`{"profile":{"kind":"spike","rate":5},"journeys":[{"name":"b","weight":1,"steps":["get /x?y=1","abandon"]}],"hostile":{"share":1,"injection":1,"burst":1000}}`)
	f.Add(`{"profile":{"kind":"replay","rate":1e6},"duration":"1h","journeys":[{"weight":1e308,"steps":["checkout"]}],"slo":{"max_error_rate":0}}`)
	f.Fuzz(func(t *testing.T, in string) {
		s, err := ParseScenario(strings.NewReader(in))
		if err != nil {
			return
		}
		if s.Duration.D() <= 0 || s.Duration.D() > MaxDuration || s.MaxRequests <= 0 || s.MaxRequests > MaxRequestsCap {
			t.Fatalf("unbounded scenario accepted: %+v", s)
		}
		if s.Profile.Kind != ProfileReplay {
			if _, err := s.Profile.Build(s.Duration.D(), nil); err != nil {
				t.Fatalf("valid scenario, unbuildable profile: %v", err)
			}
		}
		b, err := json.Marshal(s)
		if err != nil {
			t.Fatal(err)
		}
		again, err := ParseScenario(bytes.NewReader(b))
		if err != nil {
			t.Fatalf("round trip: %v\n%s", err, b)
		}
		b2, _ := json.Marshal(again)
		if !bytes.Equal(b, b2) {
			t.Fatalf("round trip changed the scenario\n%s\n%s", b, b2)
		}
	})
}
