package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/peakshop/peakshop/internal/chaos"
	"github.com/peakshop/peakshop/internal/loadgen"
	"github.com/peakshop/peakshop/internal/platform/flagenv"
	"github.com/peakshop/peakshop/internal/rehearse"
	"github.com/peakshop/peakshop/internal/rehearse/report"
)

const rehearseDoc = `Rehearse the peak: shopper load and a chaos experiment together, then an audit
of the shop's records (every accepted order settled, nothing oversold, nobody
charged twice, no dead letter unexplained) and a report (report.html,
result.json) with the load, the faults, the alarms and the cost on one time axis.

By default it starts a shop of its own (serve with the edge in front, a
separate worker, NATS, fault links) from this binary, and runs the embedded
rehearsal (under 2 minutes; see --print-scenario and --print-experiment).
With --target it rehearses a running shop on this machine: give --db (and
--nats, --payment-ledger, --control for the checks and faults that need them)
and PEAKSHOP_ADMIN_TOKEN. A running shop gets only the faults that reach it
from outside: payment faults (latency, failures, declines) through its
loopback chaos-control listeners (--control: the URLs of its --chaos-addr,
with the admin token) and fill_queue (--nats). Process faults (kill, freeze)
and link faults (latency, errors, blackhole, cut on NATS or the database) are
skipped: the rehearsal did not start those processes and no fault link sits
on their connections. Skipped faults are listed with the reason in the output
and in the report's timeline, at the time they were planned for.
Exits non-zero when an SLO or the audit fails. See docs/rehearse.md.`

// runRehearse runs `peakshop rehearse`.
func runRehearse(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("rehearse", rehearseDoc, stderr)
	target := fs.String("target", "", "base URL of a running shop on this machine; empty starts one")
	scenarioPath := fs.String("scenario", "", "load scenario file (JSON, as for peakshop load); empty for the embedded rehearsal")
	experimentPath := fs.String("experiment", "", "chaos experiment file (JSON, as for peakshop chaos); empty for the embedded rehearsal")
	duration := fs.Duration("duration", 0, "load duration, overriding the scenario's; the embedded experiment's fault times (and the embedded flash sale) scale with it, a --experiment file's do not")
	out := fs.String("out", "rehearse-results", "directory for result.json and report.html")
	prices := fs.String("price", "", "price per instance-hour by role, e.g. app=0.096,worker=0.048 or instance-hour=0.096")
	priceFile := fs.String("price-file", "", "file of role=price lines, read before --price")
	db := fs.String("db", "", "database URL: of the shop to start (default SQLite in its data folder), or of the running --target")
	natsURL := fs.String("nats", "", "NATS URL: of an external JetStream for the shop to start (default: one in this process), or the running --target's")
	data := fs.String("data", "", "data folder of the shop to start (kept); empty uses a temporary one, removed at the end")
	mode := fs.String("checkout-mode", "sync", "checkout mode of the shop to start: sync or queued")
	ledger := fs.String("payment-ledger", "", "the running --target's payment simulator ledger file (for the charged-twice check)")
	controls := fs.String("control", "", "the running --target's chaos-control URLs, comma-separated (for payment faults)")
	hotStock := fs.Int("hot-stock", 15, "stock each flash-sale SKU is given before the run, so the sale sells out; 0 leaves stock alone")
	drainFor := fs.Duration("drain", 2*time.Minute, "longest wait after the load for the pipeline to settle every order")
	seed := fs.Uint64("seed", 0, "random seed for the shoppers' choices (0 picks one)")
	printScenario := fs.Bool("print-scenario", false, "print the embedded rehearsal scenario and exit")
	printExperiment := fs.Bool("print-experiment", false, "print the embedded rehearsal experiment and exit")
	quiet := fs.Bool("quiet", false, "no progress lines")
	logLevel := fs.String("log-level", "warn", "log level of the JSON logs on stderr")
	if err := flagenv.Parse(fs, "PEAKSHOP_REHEARSE", args); err != nil {
		return err
	}
	switch {
	case *printScenario:
		_, err := stdout.Write(rehearse.DefaultScenarioJSON())
		return err
	case *printExperiment:
		_, err := stdout.Write(rehearse.DefaultExperimentJSON())
		return err
	}
	if *mode != "sync" && *mode != "queued" {
		return fmt.Errorf("--checkout-mode %q: want sync or queued", *mode)
	}
	logger, err := newLogger(*logLevel, stderr)
	if err != nil {
		return err
	}
	cfg := rehearse.Config{Target: *target, HotStock: *hotStock, Drain: *drainFor, Seed: *seed, Logger: logger}
	if cfg.Scenario, err = rehearsalScenario(*scenarioPath); err != nil {
		return err
	}
	written := cfg.Scenario.Duration.D()
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	if set["duration"] || os.Getenv(flagenv.Name("PEAKSHOP_REHEARSE", "duration")) != "" {
		cfg.Scenario.Duration = loadgen.Duration(*duration)
		if *scenarioPath == "" {
			cfg.Scenario.FlashSale = rehearse.StretchSale(cfg.Scenario.FlashSale, written, *duration)
		}
		if err := cfg.Scenario.Validate(); err != nil {
			return err
		}
	}
	if cfg.Experiment, err = rehearsalExperiment(*experimentPath, cfg.Scenario.Duration.D()); err != nil {
		return err
	}
	if cfg.Prices, err = readPrices(*priceFile, *prices); err != nil {
		return err
	}
	if !*quiet {
		cfg.Out = stderr
	}
	if *target != "" {
		if err := loadgen.CheckTarget(ctx, *target, false); err != nil {
			return err
		}
		cfg.DB, cfg.NATS, cfg.Ledger, cfg.AdminToken = *db, *natsURL, *ledger, os.Getenv("PEAKSHOP_ADMIN_TOKEN")
		for c := range strings.SplitSeq(*controls, ",") {
			if c = strings.TrimSpace(c); c != "" {
				cfg.Controls = append(cfg.Controls, c)
			}
		}
	} else {
		cfg.Shop = rehearse.ShopConfig{Dir: *data, DB: *db, NATS: *natsURL, CheckoutMode: *mode}
	}
	if err := os.MkdirAll(*out, 0o755); err != nil {
		return fmt.Errorf("output directory: %w", err)
	}
	res, err := rehearse.Run(ctx, cfg)
	if err != nil {
		return err
	}
	if err := writeRehearsal(*out, res); err != nil {
		return err
	}
	printRehearsal(stdout, res, *out)
	return res.Err()
}

func rehearsalScenario(path string) (*loadgen.Scenario, error) {
	if path == "" {
		return rehearse.DefaultScenario()
	}
	return readScenario(path)
}

// rehearsalExperiment reads the experiment; the embedded one is fitted to
// the load's length (it was written for the default 90 s), while a file's
// times are the user's and stay as written.
func rehearsalExperiment(path string, load time.Duration) (chaos.Experiment, error) {
	if path != "" {
		return chaos.LoadExperiment(path)
	}
	exp, err := rehearse.DefaultExperiment()
	if err != nil {
		return exp, err
	}
	sc, err := rehearse.DefaultScenario()
	if err != nil {
		return exp, err
	}
	return rehearse.StretchExperiment(exp, sc.Duration.D(), load), nil
}

func readPrices(file, flagValue string) (rehearse.Prices, error) {
	text := ""
	if file != "" {
		b, err := os.ReadFile(file)
		if err != nil {
			return nil, fmt.Errorf("--price-file: %w", err)
		}
		text = string(b) + "\n"
	}
	p, err := rehearse.ParsePrices(text + flagValue)
	if err != nil {
		return nil, fmt.Errorf("--price: %w", err)
	}
	return p, nil
}

func writeRehearsal(dir string, res *rehearse.Result) error {
	return writeFiles(dir, map[string]func(io.Writer) error{
		"result.json": res.WriteJSON,
		"report.html": func(w io.Writer) error { return report.Write(w, res) },
	})
}

// writeFiles writes each file through a temporary name, as writeResults does.
func writeFiles(dir string, files map[string]func(io.Writer) error) error {
	var errs []error
	for name, render := range files {
		tmp, err := os.CreateTemp(dir, name+".*")
		if err != nil {
			return fmt.Errorf("write %s: %w", name, err)
		}
		err = render(tmp)
		err = errors.Join(err, tmp.Close(), os.Chmod(tmp.Name(), 0o644))
		if err == nil {
			err = os.Rename(tmp.Name(), dir+string(os.PathSeparator)+name)
		}
		if err != nil {
			os.Remove(tmp.Name())
			errs = append(errs, fmt.Errorf("write %s: %w", name, err))
		}
	}
	return errors.Join(errs...)
}

func printRehearsal(w io.Writer, res *rehearse.Result, dir string) {
	verdict := "PASSED"
	if !res.Passed {
		verdict = "FAILED"
	}
	fmt.Fprintf(w, "rehearsal %s against %s (%s): %.0fs in all\n", verdict, res.Target, res.Database, res.Seconds)
	if l := res.Load; l != nil {
		fmt.Fprintf(w, "load: %d requests (+%d hostile) in %.0fs, %.0f req/s, error rate %.2f%%, %d orders (%.0f/min), %d out of stock, %d declined\n",
			l.Requests, l.HostileRequests, l.Seconds, l.RequestsPerSec, l.ErrorRate*100, l.Funnel.Orders, l.OrdersPerMinute, l.Funnel.OutOfStock, l.Funnel.Declines)
	}
	for _, f := range res.Faults {
		fmt.Fprintf(w, "fault: %s %s from %s to %s\n", f.Fault, f.Target, f.Start.Format(time.TimeOnly), f.End.Format(time.TimeOnly))
	}
	for _, f := range res.Skipped {
		fmt.Fprintf(w, "fault skipped: %s\n", f)
	}
	for _, a := range res.Firing {
		fmt.Fprintf(w, "alarm: %s fired from %s to %s\n", a.Name, a.Start.Format(time.TimeOnly), a.End.Format(time.TimeOnly))
	}
	fmt.Fprintf(w, "drain: %.1fs, settled %t\n", res.Drain.Seconds, res.Drain.Settled)
	for _, v := range res.Verdicts {
		mark := "met   "
		if !v.Met {
			mark = "MISSED"
		}
		fmt.Fprintf(w, "SLO %s %s: wanted %s, got %s\n", mark, v.Name, v.Objective, v.Actual)
	}
	for _, c := range res.Audit.Checks {
		mark := "passed"
		if !c.Passed {
			mark = "FAILED"
		}
		fmt.Fprintf(w, "audit %s %s: %s\n", mark, c.Name, c.Summary)
		for _, p := range c.Problems {
			fmt.Fprintf(w, "  - %s\n", p)
		}
	}
	fmt.Fprintf(w, "scaling: %s\n", res.Scaling[0].Decision)
	fmt.Fprintf(w, "cost: fixed fleet %.4f, elastic %.4f", res.Cost.FixedTotal, res.Cost.ElasticTotal)
	if len(res.Cost.Unpriced) > 0 {
		fmt.Fprintf(w, " (no price for %s: give --price role=X or instance-hour=X)", strings.Join(res.Cost.Unpriced, ", "))
	}
	fmt.Fprintln(w)
	fmt.Fprintf(w, "report: %s/report.html, %s/result.json\n", dir, dir)
}
