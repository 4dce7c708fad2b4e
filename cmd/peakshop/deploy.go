package main

import (
	"context"
	"fmt"
	"io"

	"github.com/peakshop/peakshop/internal/platform/flagenv"
	"github.com/peakshop/peakshop/internal/telemetry/alarm"
	"github.com/peakshop/peakshop/internal/telemetry/provision"
)

// runDeploy writes deployment files for a target; today "observability".
func runDeploy(_ context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "observability" {
		fmt.Fprint(stderr, "Usage: peakshop deploy observability --out DIR [--alarm-rules FILE]\n\nTargets:\n  observability   a Grafana dashboard (JSON) and Prometheus alerting rules equivalent to the built-in alarms\n")
		return errUsage
	}
	fs := newFlagSet("deploy observability", "Write a Grafana dashboard (JSON) and Prometheus alerting rules equivalent to the built-in alarms.", stderr)
	out := fs.String("out", "deploy/observability", "directory to write into")
	rulesPath := fs.String("alarm-rules", "", "alarm rules file (JSON); empty for the built-in defaults")
	if err := flagenv.Parse(fs, "PEAKSHOP", args[1:]); err != nil {
		return err
	}
	rules, err := alarm.Load(*rulesPath)
	if err != nil {
		return err
	}
	files, err := provision.Write(*out, rules)
	if err != nil {
		return err
	}
	for _, f := range files {
		fmt.Fprintln(stdout, "wrote", f)
	}
	return nil
}
