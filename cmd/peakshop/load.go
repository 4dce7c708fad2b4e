package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/peakshop/peakshop/internal/loadgen"
	"github.com/peakshop/peakshop/internal/loadgen/report"
	"github.com/peakshop/peakshop/internal/platform/flagenv"
)

// runLoad drives a scenario against a shop and writes results.json and
// report.html; a missed SLO is an error, so CI can gate on the exit code.
func runLoad(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("load", "Generate open-model shopper traffic against a shop and judge the scenario's SLOs.\nExits non-zero when an SLO is missed. Runs only against this machine unless --allow-remote is given.", stderr)
	target := fs.String("target", "http://127.0.0.1:8080", "base URL of the shop (or the edge in front of it)")
	scenarioPath := fs.String("scenario", "", "scenario file (JSON); empty for the embedded default (see --print-scenario)")
	duration := fs.Duration("duration", 0, "run length, overriding the scenario's (at most 1h)")
	rate := fs.Float64("rate", 0, "peak arrivals (sessions) per second, overriding the scenario's")
	profile := fs.String("profile", "", "constant, ramp, step, spike, daily or replay, overriding the scenario's")
	replayPath := fs.String("replay", "", "per-minute traffic curve (CSV minute,count) for --profile replay")
	maxRequests := fs.Int64("max-requests", 0, "request budget, overriding the scenario's (the run stops when spent)")
	out := fs.String("out", "load-results", "directory for results.json and report.html")
	allowRemote := fs.Bool("allow-remote", false, "allow a target that is not loopback (never against production without the owners' consent)")
	printScenario := fs.Bool("print-scenario", false, "print the embedded default scenario and exit")
	seed := fs.Uint64("seed", 0, "random seed for the shoppers' choices (0 picks one; logged)")
	lateAfter := fs.Duration("late-after", 10*time.Millisecond, "how far behind schedule an arrival counts as late")
	quiet := fs.Bool("quiet", false, "no progress line")
	logLevel := fs.String("log-level", "warn", "log level of the JSON logs on stderr")
	if err := flagenv.Parse(fs, "PEAKSHOP_LOAD", args); err != nil {
		return err
	}
	if *printScenario {
		_, err := stdout.Write(loadgen.DefaultScenarioJSON())
		return err
	}
	logger, err := newLogger(*logLevel, stderr)
	if err != nil {
		return err
	}
	sc, err := readScenario(*scenarioPath)
	if err != nil {
		return err
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	if set["duration"] {
		sc.Duration = loadgen.Duration(*duration)
	}
	if set["rate"] {
		sc.Profile.Rate = *rate
	}
	if set["profile"] {
		sc.Profile.Kind = *profile
	}
	if set["max-requests"] {
		sc.MaxRequests = *maxRequests
	}
	if err := sc.Validate(); err != nil {
		return err
	}
	var curve []float64
	if sc.Profile.Kind == loadgen.ProfileReplay {
		if curve, err = readReplay(*replayPath, sc.Profile.ReplayFile); err != nil {
			return err
		}
	}
	prof, err := sc.Profile.Build(sc.Duration.D(), curve)
	if err != nil {
		return err
	}
	if err := loadgen.CheckTarget(ctx, *target, *allowRemote); err != nil {
		return err
	}
	if err := os.MkdirAll(*out, 0o755); err != nil {
		return fmt.Errorf("output directory: %w", err)
	}
	var progress *loadgen.Progress
	if !*quiet {
		progress = loadgen.NewProgress(stderr)
	}
	res, err := loadgen.Run(ctx, loadgen.Config{Target: *target, Scenario: sc, Profile: prof, Logger: logger,
		Progress: progress, Seed: *seed, LateAfter: *lateAfter})
	if err != nil {
		return err
	}
	if err := writeResults(*out, res); err != nil {
		return err
	}
	printSummary(stdout, res, *out)
	return res.Missed()
}

func readScenario(path string) (*loadgen.Scenario, error) {
	if path == "" {
		return loadgen.DefaultScenario()
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("scenario: %w", err)
	}
	defer f.Close()
	sc, err := loadgen.ParseScenario(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return sc, nil
}

func readReplay(flagPath, scenarioPath string) ([]float64, error) {
	path := firstSet(flagPath, scenarioPath)
	if path == "" {
		return nil, errors.New("profile replay needs --replay FILE (or profile.replay_file in the scenario)")
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("replay: %w", err)
	}
	defer f.Close()
	return loadgen.ParseReplayCSV(f)
}

func firstSet(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// writeResults writes both files through temporary names, so a reader (or
// CI's artifact upload) never sees half a report.
func writeResults(dir string, res *loadgen.Result) error {
	write := func(name string, render func(io.Writer) error) error {
		tmp, err := os.CreateTemp(dir, name+".*")
		if err != nil {
			return fmt.Errorf("write %s: %w", name, err)
		}
		defer os.Remove(tmp.Name())
		if err := render(tmp); err != nil {
			tmp.Close()
			return err
		}
		if err := tmp.Close(); err != nil {
			return fmt.Errorf("write %s: %w", name, err)
		}
		if err := os.Chmod(tmp.Name(), 0o644); err != nil {
			return fmt.Errorf("write %s: %w", name, err)
		}
		return os.Rename(tmp.Name(), filepath.Join(dir, name))
	}
	if err := write("results.json", res.WriteJSON); err != nil {
		return err
	}
	return write("report.html", func(w io.Writer) error { return report.Write(w, res) })
}

func printSummary(w io.Writer, res *loadgen.Result, dir string) {
	fmt.Fprintf(w, "%s against %s: %.1fs, %d requests (+%d hostile), %.0f req/s, error rate %.2f%%, stopped by %s\n",
		res.Scenario, res.Target, res.Seconds, res.Requests, res.HostileRequests, res.RequestsPerSec, res.ErrorRate*100, res.StoppedBy)
	f := res.Funnel
	fmt.Fprintf(w, "funnel: %d sessions -> %d carts -> %d checkouts -> %d orders (%d declined, %d out of stock, %d failed, %d abandoned); %.1f orders/min\n",
		f.Sessions, f.Carts, f.Attempts, f.Orders, f.Declines, f.OutOfStock, f.Failed, f.Abandoned, res.OrdersPerMinute)
	fmt.Fprintf(w, "arrivals: %d, %d late (worst %.1fms behind schedule), %d never sent\n", res.Arrivals, res.LateArrivals, res.MaxLatenessMS, res.Unsent)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "step\tcount\terrors\tp50 ms\tp99 ms\tmax ms\t")
	names := make([]string, 0, len(res.Steps))
	for n := range res.Steps {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, n := range names {
		s := res.Steps[n]
		fmt.Fprintf(tw, "%s\t%d\t%d\t%.1f\t%.1f\t%.1f\t\n", n, s.Count, s.Errors, s.P50, s.P99, s.Max)
	}
	tw.Flush()
	for _, v := range res.SLO {
		mark := "met   "
		if !v.Met {
			mark = "MISSED"
		}
		fmt.Fprintf(w, "SLO %s %s: wanted %s, got %s\n", mark, v.Name, v.Objective, v.Actual)
	}
	fmt.Fprintf(w, "report: %s\n", strings.Join([]string{filepath.Join(dir, "results.json"), filepath.Join(dir, "report.html")}, ", "))
}
