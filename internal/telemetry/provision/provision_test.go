package provision_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/peakshop/peakshop/internal/telemetry/alarm"
	"github.com/peakshop/peakshop/internal/telemetry/provision"
)

func TestAlertExprIsNOfM(t *testing.T) {
	r := alarm.Defaults().Rules[1] // http-5xx-rate
	got := provision.AlertExpr(r, time.Minute)
	want := `sum_over_time(((sum(increase(peakshop_http_requests_total{code=~"5..",route=~"(GET|POST|PUT|DELETE) /api/.*"}[1m])) / sum(increase(peakshop_http_requests_total{route=~"(GET|POST|PUT|DELETE) /api/.*"}[1m]))) > bool 0.02)[5m:1m]) >= 3`
	if got != want {
		t.Fatalf("expr\n got %s\nwant %s", got, want)
	}
}

func TestWrite(t *testing.T) {
	dir := t.TempDir()
	rules := alarm.Defaults()
	if _, err := provision.Write(dir, rules); err != nil {
		t.Fatal(err)
	}
	y, err := os.ReadFile(filepath.Join(dir, provision.RulesFile))
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(string(y), "- alert: "); n != len(rules.Rules) {
		t.Errorf("%d alerting rules, want one per alarm (%d)", n, len(rules.Rules))
	}
	for _, r := range rules.Rules {
		if !strings.Contains(string(y), `alert: "`+r.Name+`"`) {
			t.Errorf("no alerting rule for %s", r.Name)
		}
	}
	b, err := os.ReadFile(filepath.Join(dir, provision.DashboardFile))
	if err != nil {
		t.Fatal(err)
	}
	var d struct {
		Panels []struct {
			Title   string
			Targets []struct{ Expr string }
		}
	}
	if err := json.Unmarshal(b, &d); err != nil {
		t.Fatalf("dashboard is not JSON: %v", err)
	}
	if len(d.Panels) < 10 {
		t.Fatalf("dashboard has %d panels", len(d.Panels))
	}
}
