package proxy

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

// The admin API shows and takes a route's timeout as "8s"; nanoseconds
// from an older answer still read.
func TestRouteTimeoutJSON(t *testing.T) {
	b, err := json.Marshal([]Route{{Name: "checkout", Match: Match{PathPrefix: "/checkout"}, Splits: []Split{{Pool: "app", Weight: 1}}, Timeout: 8 * time.Second}})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), `"Timeout":"8s"`) {
		t.Fatalf("marshalled %s", b)
	}
	for in, want := range map[string]time.Duration{`"8s"`: 8 * time.Second, `8000000000`: 8 * time.Second, `null`: 0} {
		var r Route
		if err := json.Unmarshal([]byte(`{"Name":"c","Timeout":`+in+`}`), &r); err != nil || r.Timeout != want {
			t.Errorf("timeout %s: got %v, %v; want %v", in, r.Timeout, err, want)
		}
	}
	for _, bad := range []string{`{"Name":"c","Timeout":"soon"}`, `{"Name":"c","Timeout":true}`, `{"Name":"c","Timout":"8s"}`} {
		var r Route
		if err := json.Unmarshal([]byte(bad), &r); err == nil {
			t.Errorf("%s accepted", bad)
		}
	}
}

// Any body PUT /routes may get either is refused or reads as a route that
// survives a round trip through GET /routes unchanged.
func FuzzRouteJSON(f *testing.F) {
	for _, s := range []string{`{"Name":"c","Timeout":"8s"}`, `{"Timeout":8000000000}`, `{"Match":{"PathPrefix":"/a","Headers":{"X":"1"}},"Splits":[{"Pool":"p","Weight":5}]}`, `{"Timeout":"-1h"}`, `[]`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		var r Route
		if json.Unmarshal([]byte(in), &r) != nil {
			return
		}
		b, err := json.Marshal(r)
		if err != nil {
			t.Fatalf("marshal %+v: %v", r, err)
		}
		var back Route
		if err := json.Unmarshal(b, &back); err != nil {
			t.Fatalf("%s does not read back: %v", b, err)
		}
		if back.Timeout != r.Timeout || back.Name != r.Name || len(back.Splits) != len(r.Splits) {
			t.Fatalf("round trip changed %+v into %+v", r, back)
		}
	})
}
