package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/peakshop/peakshop/internal/chaos"
)

// syncBuffer is written by the run's goroutine and read by the test.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func writeExperiment(tb testing.TB, body string) string {
	tb.Helper()
	p := filepath.Join(tb.TempDir(), "exp.json")
	if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
		tb.Fatal(err)
	}
	return p
}

func TestChaosHelpDocumentsFlagsWithEnvironment(t *testing.T) {
	var out bytes.Buffer
	if err := run(context.Background(), []string{"chaos", "--help"}, &out, &out); !errors.Is(err, flag.ErrHelp) {
		t.Fatalf("err = %v", err)
	}
	for _, want := range []string{"-experiment", "[PEAKSHOP_CHAOS_EXPERIMENT]", "-link", "[PEAKSHOP_CHAOS_LINK]", "-process", "-control", "-nats", "-allow-remote", "PEAKSHOP_ADMIN_TOKEN"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("chaos --help does not mention %q", want)
		}
	}
	out.Reset()
	if err := run(context.Background(), []string{"chaos", "--print-example"}, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	if _, err := chaos.ParseExperiment(out.Bytes()); err != nil {
		t.Errorf("--print-example prints an invalid experiment: %v", err)
	}
}

func TestChaosRefusesBadInvocations(t *testing.T) {
	good := writeExperiment(t, `{"faults":[{"kind":"cut","target":"l","duration":"1s"}]}`)
	cases := []struct {
		args []string
		want string
	}{
		{[]string{}, "--experiment FILE is required"},
		{[]string{"--experiment", writeExperiment(t, `{"faults":[{"kind":"cut","target":"l","duration":"1s","rate":3}]}`)}, "faults[0].rate: 3 is outside 0..1"},
		{[]string{"--experiment", filepath.Join(t.TempDir(), "none.json")}, "no such file"},
		{[]string{"--experiment", good, "--link", "l=127.0.0.1:0"}, "want name=listen->upstream"},
		{[]string{"--experiment", good, "--target", "http://192.0.2.10:8080"}, "not this machine; chaos only runs against this machine unless --allow-remote"},
		{[]string{"--experiment", good, "--link", "l=127.0.0.1:0->192.0.2.10:5432"}, "192.0.2.10"},
		{[]string{"--experiment", good, "--process", "app"}, "want name=pidfile"},
		{[]string{"--experiment", good}, `faults[0].target: no link named "l"`},
		{[]string{"--experiment", good, "extra"}, "unexpected arguments"},
	}
	for _, c := range cases {
		var out bytes.Buffer
		err := run(context.Background(), append([]string{"chaos"}, c.args...), &out, &out)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("chaos %v: %v, want an error with %q", c.args, err, c.want)
		}
	}
}

// echoUpstream is a TCP echo server for the links.
func echoUpstream(tb testing.TB) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() { defer c.Close(); _, _ = io.Copy(c, c) }()
		}
	}()
	return ln.Addr().String()
}

// TestChaosRunPrintsEventsAndWritesResult runs a short experiment with a
// link, a PID-file process and a control listener stand-in.
func TestChaosRunPrintsEventsAndWritesResult(t *testing.T) {
	shop := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer shop.Close()
	var mu sync.Mutex
	var calls []string
	ctl := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer chaos-test" {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		mu.Lock()
		calls = append(calls, r.Method)
		mu.Unlock()
	}))
	defer ctl.Close()
	t.Setenv("PEAKSHOP_ADMIN_TOKEN", "chaos-test")
	sleeper, pidfile := startPIDFileProcess(t)

	exp := writeExperiment(t, `{"name":"cli","steady_state":[{"name":"home","path":"/","every":"50ms"}],
		"faults":[{"kind":"latency","target":"app-db","duration":"200ms","latency":"20ms"},
			{"kind":"freeze","target":"worker","start":"50ms","duration":"150ms"},
			{"kind":"payment","start":"100ms","duration":"100ms","rate":0.2}]}`)
	out := filepath.Join(t.TempDir(), "result.json")
	var stdout syncBuffer
	err := run(context.Background(), []string{"chaos", "--experiment", exp, "--target", shop.URL,
		"--link", "app-db=127.0.0.1:0->" + echoUpstream(t), "--process", "worker=" + pidfile,
		"--control", ctl.URL, "--out", out}, &stdout, io.Discard)
	if err != nil {
		t.Fatalf("chaos: %v\n%s", err, stdout.String())
	}
	text := stdout.String()
	for _, want := range []string{"link app-db", "inject", "undo", "latency", "freeze", "worker", "payment", "PASS", "3 injected, 3 undone"} {
		if !strings.Contains(text, want) {
			t.Errorf("output lacks %q:\n%s", want, text)
		}
	}
	if st := procStat(sleeper.Process.Pid); st == "T" || st == "t" {
		t.Error("worker left stopped")
	}
	var res struct {
		Experiment chaos.Experiment `json:"experiment"`
		Events     []chaos.Event    `json:"events"`
		After      bool             `json:"steady_state_after"`
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &res); err != nil {
		t.Fatal(err)
	}
	if res.Experiment.Name != "cli" || len(res.Events) < 6 || !res.After {
		t.Errorf("result file: %s", b)
	}
	mu.Lock()
	defer mu.Unlock()
	if strings.Join(calls, ",") != "PUT,DELETE" {
		t.Errorf("control calls %v", calls)
	}
}

func TestChaosFailsWhenSteadyStateIsMissing(t *testing.T) {
	down := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(503) }))
	defer down.Close()
	exp := writeExperiment(t, `{"steady_state":[{"name":"ready","path":"/readyz"}],"faults":[{"kind":"cut","target":"l","duration":"1s"}]}`)
	var stdout syncBuffer
	err := run(context.Background(), []string{"chaos", "--experiment", exp, "--target", down.URL,
		"--link", "l=127.0.0.1:0->" + echoUpstream(t)}, &stdout, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "aborted") {
		t.Fatalf("err = %v, want an aborted run", err)
	}
	if !strings.Contains(stdout.String(), "FAIL") {
		t.Errorf("summary does not say FAIL:\n%s", stdout.String())
	}
}

// TestChaosInterruptUndoes cancels the command's context (what SIGINT does
// in main) while a process is frozen: it must be running when the command
// returns.
func TestChaosInterruptUndoes(t *testing.T) {
	sleeper, pidfile := startPIDFileProcess(t)
	exp := writeExperiment(t, `{"faults":[{"kind":"freeze","target":"worker","duration":"1m"}]}`)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var stdout syncBuffer
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"chaos", "--experiment", exp, "--process", "worker=" + pidfile}, &stdout, io.Discard)
	}()
	deadline := time.Now().Add(5 * time.Second)
	for !strings.Contains(stdout.String(), "inject") {
		if time.Now().After(deadline) {
			t.Fatalf("no inject line:\n%s", stdout.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Errorf("err = %v, want context.Canceled", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("chaos did not return after the interrupt")
	}
	for i := 0; i < 100; i++ {
		if st := procStat(sleeper.Process.Pid); st != "T" && st != "t" {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("worker still stopped after the interrupt:\n%s", stdout.String())
}

// startPIDFileProcess starts /bin/sleep and writes its PID file.
func startPIDFileProcess(tb testing.TB) (*exec.Cmd, string) {
	tb.Helper()
	cmd := exec.Command("sleep", "30")
	if err := cmd.Start(); err != nil {
		tb.Skipf("no sleep binary: %v", err)
	}
	tb.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	pidfile := filepath.Join(tb.TempDir(), "worker.pid")
	if err := os.WriteFile(pidfile, []byte(strconv.Itoa(cmd.Process.Pid)), 0o600); err != nil {
		tb.Fatal(err)
	}
	return cmd, pidfile
}

// procStat is the state letter of a process (T when stopped).
func procStat(pid int) string {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return ""
	}
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	if i < 0 || i+2 >= len(s) {
		return ""
	}
	return s[i+2 : i+3]
}

// serve and worker refuse a chaos-control address that is not loopback
// while parsing flags, before they open anything.
func TestChaosAddrMustBeLoopback(t *testing.T) {
	dir := t.TempDir()
	for _, cmd := range []string{"serve", "worker"} {
		for _, addr := range []string{":7071", "0.0.0.0:7071", "192.0.2.1:7071"} {
			err := run(context.Background(), []string{cmd, "--data", dir, "--chaos-addr", addr}, io.Discard, io.Discard)
			if err == nil || !strings.Contains(err.Error(), "loopback addresses only") {
				t.Errorf("%s --chaos-addr %s: %v", cmd, addr, err)
			}
		}
		t.Setenv("PEAKSHOP_CHAOS_ADDR", "[::]:7071")
		if err := run(context.Background(), []string{cmd, "--data", dir}, io.Discard, io.Discard); err == nil || !strings.Contains(err.Error(), "PEAKSHOP_CHAOS_ADDR") {
			t.Errorf("%s with PEAKSHOP_CHAOS_ADDR=[::]:7071: %v", cmd, err)
		}
		t.Setenv("PEAKSHOP_CHAOS_ADDR", "")
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("a refused start left files: %v", entries)
	}
}

// --wait gives the operator time to point the shop at the links: the run
// starts once the probes pass.
func TestChaosWaitsForSteadyState(t *testing.T) {
	up := time.Now().Add(400 * time.Millisecond)
	shop := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if time.Now().Before(up) {
			w.WriteHeader(http.StatusServiceUnavailable)
		}
	}))
	defer shop.Close()
	exp := writeExperiment(t, `{"steady_state":[{"name":"ready","path":"/readyz"}],"faults":[{"kind":"cut","target":"l","duration":"50ms"}]}`)
	var stdout syncBuffer
	args := []string{"chaos", "--experiment", exp, "--target", shop.URL, "--link", "l=127.0.0.1:0->" + echoUpstream(t)}
	if err := run(context.Background(), append(args, "--wait", "5s"), &stdout, io.Discard); err != nil {
		t.Fatalf("with --wait: %v\n%s", err, stdout.String())
	}
	if !strings.Contains(stdout.String(), "waiting up to 5s") || !strings.Contains(stdout.String(), "PASS") {
		t.Errorf("output:\n%s", stdout.String())
	}
}
