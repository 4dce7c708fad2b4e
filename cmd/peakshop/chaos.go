package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/peakshop/peakshop/internal/chaos"
	"github.com/peakshop/peakshop/internal/platform/flagenv"
)

// runChaos runs an experiment against a shop that is already running: it
// opens the fault proxies (--link) the operator points the shop at, finds
// processes by PID file, and reaches the shop's loopback chaos-control
// listeners for payment faults. Aborted runs and a steady state that did not
// come back are errors, so CI can gate on the exit code.
func runChaos(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("chaos", "Run a chaos experiment (steady-state probes, timed faults, abort rules) against a running shop.\n"+
		"Every fault is undone before the command ends, also on Ctrl-C. Exits non-zero when the run was\n"+
		"aborted or the steady state did not come back. Targets must be this machine unless --allow-remote.\n"+
		"Payment faults use the admin token in PEAKSHOP_ADMIN_TOKEN.", stderr)
	experiment := fs.String("experiment", "", "experiment file (JSON; see --print-example and docs/chaos.md)")
	target := fs.String("target", "http://127.0.0.1:8080", "base URL the steady-state probes are sent to (the edge or the shop)")
	var links, processes, controls listFlag
	fs.Var(&links, "link", "fault proxy to open, name=listen->upstream (e.g. app-db=127.0.0.1:15432->127.0.0.1:5432); repeatable or comma-separated")
	fs.Var(&processes, "process", "process to kill or freeze, name=pidfile; repeatable or comma-separated")
	fs.Var(&controls, "control", "base URL of a chaos-control listener (serve or worker --chaos-addr); repeatable or comma-separated")
	natsURL := fs.String("nats", "", "NATS URL for fill_queue faults")
	wait := fs.Duration("wait", 0, "how long to wait for the steady state before starting (time to point the shop at the links)")
	out := fs.String("out", "", "write the result (events, verdict) as JSON to this file")
	allowRemote := fs.Bool("allow-remote", false, "allow targets that are not this machine (never against production without the owners' consent)")
	printExample := fs.Bool("print-example", false, "print an example experiment and exit")
	if err := flagenv.Parse(fs, "PEAKSHOP_CHAOS", args); err != nil {
		return err
	}
	if *printExample {
		_, err := stdout.Write(chaos.ExampleJSON())
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("chaos: unexpected arguments %q", fs.Args())
	}
	if *experiment == "" {
		return errors.New("chaos: --experiment FILE is required (see --print-example)")
	}
	exp, err := chaos.LoadExperiment(*experiment)
	if err != nil {
		return err
	}
	t := chaos.Targets{BaseURL: *target, Controls: controls, NATSURL: *natsURL, AdminToken: os.Getenv("PEAKSHOP_ADMIN_TOKEN"),
		Processes: map[string]chaos.Process{}, Links: map[string]*chaos.Link{}}
	if err := checkChaosTargets(ctx, t, links, *allowRemote); err != nil {
		return err
	}
	for _, p := range processes {
		name, pidfile, ok := strings.Cut(p, "=")
		if !ok || name == "" || pidfile == "" {
			return fmt.Errorf("chaos: --process %q: want name=pidfile", p)
		}
		if t.Processes[name] != nil {
			return fmt.Errorf("chaos: --process %s given twice", name)
		}
		proc, err := chaos.FindProcess(name, pidfile)
		if err != nil {
			return err
		}
		t.Processes[name] = proc
	}
	for _, l := range links {
		name, listen, upstream, err := parseLinkFlag(l)
		if err != nil {
			return err
		}
		if t.Links[name] != nil {
			return fmt.Errorf("chaos: --link %s given twice", name)
		}
		link, err := chaos.NewLink(name, listen, upstream)
		if err != nil {
			return err
		}
		defer link.Close()
		t.Links[name] = link
		fmt.Fprintf(stdout, "link %-12s %s -> %s\n", name, link.Addr(), upstream)
	}
	if *wait > 0 {
		if err := waitSteady(ctx, exp, t, *wait, stdout); err != nil {
			return err
		}
	}

	fmt.Fprintf(stdout, "experiment %q: %d fault(s) over %s\n", exp.Name, len(exp.Faults), exp.End())
	start := time.Now()
	res, runErr := chaos.Run(ctx, exp, t, func(e chaos.Event) { printEvent(stdout, start, e) })
	if *out != "" {
		if err := writeChaosResult(*out, exp, res); err != nil {
			runErr = errors.Join(runErr, err)
		}
	}
	printChaosSummary(stdout, res, time.Since(start))
	switch {
	case runErr != nil:
		return runErr
	case res.Aborted:
		return fmt.Errorf("chaos: run aborted: %s", res.AbortReason)
	case !res.SteadyStateAfter:
		return errors.New("chaos: the steady state did not come back after the faults")
	}
	return nil
}

// listFlag collects a repeatable flag; a comma-separated value (as from
// the environment) adds several.
type listFlag []string

func (l *listFlag) String() string { return strings.Join(*l, ",") }

func (l *listFlag) Set(v string) error {
	for _, s := range strings.Split(v, ",") {
		if s = strings.TrimSpace(s); s != "" {
			*l = append(*l, s)
		}
	}
	return nil
}

// parseLinkFlag reads name=listen->upstream.
func parseLinkFlag(v string) (name, listen, upstream string, err error) {
	name, rest, ok := strings.Cut(v, "=")
	if ok {
		listen, upstream, ok = strings.Cut(rest, "->")
	}
	if !ok || name == "" || listen == "" || upstream == "" {
		return "", "", "", fmt.Errorf("chaos: --link %q: want name=listen->upstream, e.g. app-db=127.0.0.1:15432->127.0.0.1:5432", v)
	}
	return name, listen, upstream, nil
}

// checkChaosTargets keeps every address on this machine unless allowed.
func checkChaosTargets(ctx context.Context, t chaos.Targets, links []string, allowRemote bool) error {
	if allowRemote {
		return nil
	}
	addrs := append([]string{t.BaseURL}, t.Controls...)
	if t.NATSURL != "" {
		addrs = append(addrs, t.NATSURL)
	}
	for _, l := range links {
		_, listen, upstream, err := parseLinkFlag(l)
		if err != nil {
			return err
		}
		addrs = append(addrs, listen, upstream)
	}
	for _, a := range addrs {
		if err := chaos.CheckLocal(ctx, a); err != nil {
			return fmt.Errorf("chaos: %w; chaos only runs against this machine unless --allow-remote is given", err)
		}
	}
	return nil
}

// waitSteady polls the probes until they pass, for at most wait.
func waitSteady(ctx context.Context, exp chaos.Experiment, t chaos.Targets, wait time.Duration, w io.Writer) error {
	fmt.Fprintf(w, "waiting up to %s for the steady state at %s\n", wait, t.BaseURL)
	deadline := time.Now().Add(wait)
	for {
		ok, detail := chaos.CheckSteadyState(ctx, exp, t)
		if ok {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("chaos: no steady state after %s: %s", wait, detail)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(500 * time.Millisecond):
		}
	}
}

// printEvent writes one live line per event.
func printEvent(w io.Writer, start time.Time, e chaos.Event) {
	fmt.Fprintf(w, "%+8.1fs  %-12s %-10s %-18s %s\n", e.At.Sub(start).Seconds(), e.Phase, e.Fault, e.Target, e.Detail)
}

func printChaosSummary(w io.Writer, res chaos.Result, took time.Duration) {
	count := map[string]int{}
	for _, e := range res.Events {
		count[e.Phase]++
	}
	verdict := "PASS"
	if res.Aborted || !res.SteadyStateAfter || count[chaos.PhaseError] > 0 {
		verdict = "FAIL"
	}
	fmt.Fprintf(w, "\n%s after %s: %d injected, %d undone, %d probe failure(s), %d error(s); steady state before %s, after %s\n",
		verdict, took.Round(100*time.Millisecond), count[chaos.PhaseInject], count[chaos.PhaseUndo], count[chaos.PhaseProbeFail],
		count[chaos.PhaseError], okWord(res.SteadyStateBefore), okWord(res.SteadyStateAfter))
	if res.Aborted {
		fmt.Fprintf(w, "aborted: %s\n", res.AbortReason)
	}
}

func okWord(ok bool) string {
	if ok {
		return "ok"
	}
	return "FAILED"
}

func writeChaosResult(path string, exp chaos.Experiment, res chaos.Result) error {
	doc := struct {
		Experiment chaos.Experiment `json:"experiment"`
		chaos.Result
	}{exp, res}
	if doc.Result.Events == nil {
		doc.Result.Events = []chaos.Event{}
	}
	b, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		return err
	}
	if err := os.WriteFile(path, append(b, '\n'), 0o644); err != nil {
		return fmt.Errorf("chaos: write result: %w", err)
	}
	return nil
}
