package chaos

import (
	"strings"
	"testing"
	"time"
)

func TestParseExperimentErrors(t *testing.T) {
	cases := []struct {
		name string
		json string
		want []string // substrings the error must hold
	}{
		{"unknown field", `{"name":"x","faults":[{"kind":"cut","target":"a","duration":"1s","bogus":1}]}`, []string{`unknown field "bogus"`}},
		{"unknown kind", `{"faults":[{"kind":"meteor","target":"a","duration":"1s"}]}`, []string{"faults[0].kind", `unknown kind "meteor"`}},
		{"negative start", `{"faults":[{"kind":"cut","target":"a","start":"-1s","duration":"1s"}]}`, []string{"faults[0].start: must not be negative"}},
		{"negative duration", `{"faults":[{"kind":"kill","target":"a","duration":"-2s"}]}`, []string{"faults[0].duration: must not be negative"}},
		{"rate above 1", `{"faults":[{"kind":"errors","target":"a","duration":"1s","rate":1.5}]}`, []string{"faults[0].rate: 1.5 is outside 0..1"}},
		{"rate below 0", `{"faults":[{"kind":"payment","duration":"1s","rate":-0.1}]}`, []string{"faults[0].rate: -0.1 is outside 0..1"}},
		{"bare number duration", `{"faults":[{"kind":"cut","target":"a","duration":10}]}`, []string{`want a duration string like "10s"`}},
		{"bad duration string", `{"faults":[{"kind":"cut","target":"a","duration":"ten"}]}`, []string{`got "ten"`}},
		{"missing target", `{"faults":[{"kind":"latency","duration":"1s","latency":"10ms"}]}`, []string{"faults[0].target"}},
		{"latency without latency", `{"faults":[{"kind":"latency","target":"a","duration":"1s"}]}`, []string{"faults[0].latency: a latency fault needs a positive latency"}},
		{"fill without count", `{"faults":[{"kind":"fill_queue"}]}`, []string{"faults[0].count"}},
		{"no faults", `{"name":"x"}`, []string{"faults: at least one fault is required"}},
		{"abort names unknown probe", `{"faults":[{"kind":"cut","target":"a","duration":"1s"}],"abort":[{"probe":"home","failures_in_a_row":2}]}`, []string{`abort[0].probe: no steady_state probe is named "home"`}},
		{"abort rule zero", `{"steady_state":[{"name":"home","path":"/"}],"faults":[{"kind":"cut","target":"a","duration":"1s"}],"abort":[{"probe":"home"}]}`, []string{"abort[0].failures_in_a_row: must be at least 1"}},
		{"probe path", `{"steady_state":[{"name":"home","path":"x"}],"faults":[{"kind":"cut","target":"a","duration":"1s"}]}`, []string{"steady_state[0].path: must start with /"}},
		{"overlapping freezes", `{"faults":[{"kind":"freeze","target":"app","duration":"5s"},{"kind":"kill","target":"app","start":"2s","duration":"1s"}]}`, []string{"faults[1]: overlaps faults[0] on process app"}},
		{"overlapping payments", `{"faults":[{"kind":"payment","duration":"5s","rate":0.2},{"kind":"payment","start":"4s","duration":"1s","decline_rate":0.5}]}`, []string{"faults[1]: overlaps faults[0] on payment"}},
		{"kill forever then freeze", `{"faults":[{"kind":"kill","target":"w"},{"kind":"freeze","target":"w","start":"9s","duration":"1s"}]}`, []string{"overlaps faults[0] on process w"}},
		{"too long", `{"faults":[{"kind":"cut","target":"a","duration":"10h"}]}`, []string{"duration: the run would last 10h0m0s"}},
		{"trailing data", `{"faults":[{"kind":"cut","target":"a","duration":"1s"}]} {}`, []string{"trailing data"}},
		{"several at once", `{"faults":[{"kind":"errors","target":"a","duration":"-1s","rate":2}]}`, []string{"faults[0].duration", "faults[0].rate"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := ParseExperiment([]byte(c.json))
			if err == nil {
				t.Fatal("parsed, want an error")
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
		})
	}
}

func TestParseExperimentDefaults(t *testing.T) {
	exp, err := ParseExperiment([]byte(`{"name":"n","steady_state":[{"name":"home","path":"/","every":"1s"}],
		"faults":[{"kind":"kill","target":"worker","start":"5s"},{"kind":"cut","target":"app-nats","start":"2s","duration":"10s"}]}`))
	if err != nil {
		t.Fatal(err)
	}
	p := exp.SteadyState[0]
	if p.Method != "GET" || p.Expect != 200 || p.Timeout.D() != 2*time.Second || p.Every.D() != time.Second {
		t.Errorf("probe defaults: %+v", p)
	}
	if got := exp.End(); got != 12*time.Second {
		t.Errorf("End = %s, want 12s (the cut's end)", got)
	}
}

// The shipped example must stay valid.
func TestExampleExperimentParses(t *testing.T) {
	exp, err := ParseExperiment(ExampleJSON())
	if err != nil {
		t.Fatal(err)
	}
	kinds := map[string]bool{}
	for _, f := range exp.Faults {
		kinds[f.Kind] = true
	}
	if len(kinds) < 6 {
		t.Errorf("the example shows %d fault kinds; it should show most of them", len(kinds))
	}
}
