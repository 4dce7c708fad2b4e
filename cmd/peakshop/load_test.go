package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/peakshop/peakshop/internal/loadgen"
)

// A short run against a trivial server through the command: both files are
// written, the summary names the missed SLO, and the error (the exit code)
// says which objective failed.
func TestLoadMissedSLOIsAnError(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Baggage") != "synthetic=true" {
			http.Error(w, "not marked synthetic", http.StatusBadRequest)
			return
		}
		w.Write([]byte("ok"))
	}))
	defer srv.Close()
	dir := t.TempDir()
	scenario := filepath.Join(dir, "s.json")
	os.WriteFile(scenario, []byte(`{"name":"tiny","profile":{"kind":"constant","rate":50},
	  "journeys":[{"name":"ping","weight":1,"steps":["get /ping","get /ping"]}],
	  "slo":{"p99":{"get":"1ns"},"max_error_rate":0}}`), 0o644)
	var stdout, stderr bytes.Buffer
	err := run(context.Background(), []string{"load", "--target", srv.URL, "--scenario", scenario,
		"--duration", "1s", "--out", filepath.Join(dir, "out"), "--quiet"}, &stdout, &stderr)
	if !errors.Is(err, loadgen.ErrSLOMissed) || !strings.Contains(err.Error(), "p99 get") || strings.Contains(err.Error(), "error rate") {
		t.Fatalf("err = %v\n%s%s", err, stdout.String(), stderr.String())
	}
	if !strings.Contains(stdout.String(), "SLO MISSED p99 get") || !strings.Contains(stdout.String(), "SLO met    error rate") {
		t.Errorf("summary:\n%s", stdout.String())
	}
	var res loadgen.Result
	b, rerr := os.ReadFile(filepath.Join(dir, "out", "results.json"))
	if rerr != nil || json.Unmarshal(b, &res) != nil || res.Requests == 0 || res.Requests != 2*res.Funnel.Sessions {
		t.Fatalf("results.json: %v %+v", rerr, res)
	}
	if _, err := os.Stat(filepath.Join(dir, "out", "report.html")); err != nil {
		t.Fatal(err)
	}
}

func TestLoadRefusesRemoteTargets(t *testing.T) {
	var out bytes.Buffer
	err := run(context.Background(), []string{"load", "--target", "http://192.0.2.10:8080", "--duration", "1s", "--out", t.TempDir()}, &out, &out)
	if err == nil || !strings.Contains(err.Error(), "not this machine") {
		t.Fatalf("err = %v", err)
	}
}

func TestLoadPrintScenarioAndEnv(t *testing.T) {
	var out bytes.Buffer
	if err := run(context.Background(), []string{"load", "--print-scenario"}, &out, &out); err != nil {
		t.Fatal(err)
	}
	if _, err := loadgen.ParseScenario(&out); err != nil {
		t.Fatalf("printed scenario does not parse: %v", err)
	}
	// Environment equivalents: a bad duration from the environment is refused.
	t.Setenv("PEAKSHOP_LOAD_DURATION", "2h")
	out.Reset()
	err := run(context.Background(), []string{"load", "--out", t.TempDir()}, &out, &out)
	if err == nil || !strings.Contains(err.Error(), "duration") {
		t.Fatalf("err = %v", err)
	}
}
