package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// The default rehearsal, as CI runs it: the real binary starts its own shop
// (serve with the edge in front, a separate worker, NATS behind fault
// links), drives the load, injects every fault of the embedded experiment,
// drains and audits. It must exit 0 with the audit passed, and its report
// must show the faults it injected.
func TestRehearseDefault(t *testing.T) {
	if testing.Short() {
		t.Skip("the default rehearsal takes about two minutes")
	}
	dir := t.TempDir()
	bin := buildPeakshop(t)
	data, out := filepath.Join(dir, "shop"), filepath.Join(dir, "results")
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "rehearse", "--data", data, "--out", out, "--price", "instance-hour=0.096")
	// On timeout: SIGINT, as a person would, so the rehearsal undoes its
	// faults and stops the shop; SIGKILL only if that hangs.
	cmd.Cancel = func() error { return cmd.Process.Signal(os.Interrupt) }
	cmd.WaitDelay = 45 * time.Second
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	t.Cleanup(func() { killLeftovers(t, data) })
	err := cmd.Run()
	t.Logf("rehearse output:\n%s", stdout.String())
	if err != nil {
		t.Fatalf("rehearse: %v (context: %v)\nstderr:\n%s", err, ctx.Err(), lastLines(stderr.String(), 60))
	}

	res, page := readRehearsal(t, out)
	if !res.Passed || !res.Audit.Passed || len(res.Audit.Checks) != 5 || !res.Drain.Settled || res.Database != "sqlite" {
		t.Fatalf("rehearsal did not pass: %+v", res)
	}
	if res.Audit.Accepted == 0 || int64(res.Audit.Accepted) != res.Load.Funnel.Orders || res.Load.HostileRequests == 0 {
		t.Errorf("the audit saw %d accepted orders, the load %d (hostile requests %d)", res.Audit.Accepted, res.Load.Funnel.Orders, res.Load.HostileRequests)
	}
	want := map[string]bool{"payment payment-simulator": false, "kill worker": false, "cut app-nats": false, "cut worker-nats": false}
	for _, f := range res.Faults {
		key := f.Fault + " " + f.Target
		if _, ok := want[key]; ok && !f.End.Before(f.Start.Add(9*time.Second)) {
			want[key] = true
		}
	}
	for k, seen := range want {
		if !seen {
			t.Errorf("the timeline lacks the fault %q (of at least 9 s): %+v", k, res.Faults)
		}
	}
	for _, s := range []string{"PASSED", "cut worker-nats", "kill worker", "fixed fleet: 1 app, 1 worker"} {
		if !bytes.Contains(page, []byte(s)) {
			t.Errorf("report.html lacks %q", s)
		}
	}
}

// rehearsal is what the rehearsal tests read of result.json.
type rehearsal struct {
	Passed      bool   `json:"passed"`
	SelfStarted bool   `json:"self_started"`
	Database    string `json:"database"`
	Audit       struct {
		Passed   bool `json:"passed"`
		Accepted int  `json:"accepted"`
		Checks   []struct {
			Name    string `json:"name"`
			Passed  bool   `json:"passed"`
			Summary string `json:"summary"`
		} `json:"checks"`
	} `json:"audit"`
	Faults []struct {
		Fault, Target string
		Start, End    time.Time
	} `json:"fault_windows"`
	Skipped []struct {
		Fault, Target, Reason string
	} `json:"skipped_faults"`
	Drain struct {
		Settled bool `json:"settled"`
	} `json:"drain"`
	Load struct {
		Funnel struct {
			Orders     int64 `json:"orders"`
			OutOfStock int64 `json:"out_of_stock"`
		} `json:"funnel"`
		HostileRequests int64 `json:"hostile_requests"`
	} `json:"load"`
}

// readRehearsal reads result.json and report.html from a rehearsal's out
// folder.
func readRehearsal(t *testing.T, out string) (res rehearsal, page []byte) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(out, "result.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &res); err != nil {
		t.Fatalf("result.json: %v", err)
	}
	if page, err = os.ReadFile(filepath.Join(out, "report.html")); err != nil {
		t.Fatal(err)
	}
	return res, page
}

// killLeftovers ends shop processes the rehearsal started, found by the
// data folder unique to this test in their command line, should the
// rehearsal itself have been killed before it could stop them.
func killLeftovers(t *testing.T, data string) {
	procs, _ := filepath.Glob("/proc/[0-9]*/cmdline")
	for _, p := range procs {
		b, err := os.ReadFile(p)
		if err != nil || !bytes.Contains(b, []byte(data)) {
			continue
		}
		pid, err := strconv.Atoi(filepath.Base(filepath.Dir(p)))
		if err != nil || pid == os.Getpid() {
			continue
		}
		t.Errorf("process %d (%s) outlived the rehearsal; killing it", pid, strings.ReplaceAll(string(b), "\x00", " "))
		_ = syscall.Kill(pid, syscall.SIGKILL)
	}
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

func TestRehearsePrintsItsDefaults(t *testing.T) {
	for _, flag := range []string{"--print-scenario", "--print-experiment"} {
		var out bytes.Buffer
		if err := run(context.Background(), []string{"rehearse", flag}, &out, &out); err != nil || !json.Valid(out.Bytes()) {
			t.Errorf("rehearse %s: %v\n%s", flag, err, out.String())
		}
	}
}

func TestRehearseRefusesBadFlags(t *testing.T) {
	for _, args := range [][]string{
		{"rehearse", "--checkout-mode", "later"},
		{"rehearse", "--price", "app=cheap"},
		{"rehearse", "--target", "http://192.0.2.1:8080", "--db", "sqlite:x.db"},
		{"rehearse", "--scenario", "/nonexistent.json"},
	} {
		var out bytes.Buffer
		if err := run(context.Background(), args, &out, &out); err == nil {
			t.Errorf("%v: no error", args)
		}
	}
}
