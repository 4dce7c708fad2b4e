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
