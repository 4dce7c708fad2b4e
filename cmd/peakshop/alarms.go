package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/peakshop/peakshop/internal/platform/flagenv"
	"github.com/peakshop/peakshop/internal/telemetry/alarm"
)

// runAlarms lists the alarms of a running shop with their state (through
// its admin endpoint), or the rules of a file without a shop.
func runAlarms(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("alarms", "List alarm rules and their state.\n\nWith --url (default), asks a running shop (admin token from PEAKSHOP_ADMIN_TOKEN).\nWith --rules FILE, checks and lists the rules of a file without a shop.\nWith --defaults, prints the built-in rules as a file to start from.", stderr)
	url := fs.String("url", "http://127.0.0.1:8080", "address of a running shop")
	rulesPath := fs.String("alarm-rules", "", "rules file to check and list instead of asking a shop")
	defaults := fs.Bool("defaults", false, "print the built-in rules file (JSON) and exit")
	asJSON := fs.Bool("json", false, "print JSON instead of a table")
	if err := flagenv.Parse(fs, "PEAKSHOP", args); err != nil {
		return err
	}
	switch {
	case *defaults:
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(alarm.Defaults())
	case *rulesPath != "":
		f, err := alarm.Load(*rulesPath)
		if err != nil {
			return err
		}
		st := make([]alarm.Status, len(f.Rules))
		for i, r := range f.Rules {
			st[i] = alarm.Status{Rule: r, State: "-", Reason: "not evaluated: no shop asked"}
		}
		return printAlarms(stdout, st, *asJSON)
	}
	st, err := fetchAlarms(ctx, *url, os.Getenv("PEAKSHOP_ADMIN_TOKEN"))
	if err != nil {
		return err
	}
	return printAlarms(stdout, st, *asJSON)
}

func fetchAlarms(ctx context.Context, base, token string) ([]alarm.Status, error) {
	if token == "" {
		return nil, errors.New("set PEAKSHOP_ADMIN_TOKEN to the shop's admin token")
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, strings.TrimRight(base, "/")+"/console/api/alarms", nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, fmt.Errorf("ask %s: %w", base, err)
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("ask %s: status %d (is the admin token right?)", base, res.StatusCode)
	}
	var body struct{ Alarms []alarm.Status }
	if err := json.NewDecoder(io.LimitReader(res.Body, 4<<20)).Decode(&body); err != nil {
		return nil, fmt.Errorf("ask %s: %w", base, err)
	}
	return body.Alarms, nil
}

func printAlarms(w io.Writer, st []alarm.Status, asJSON bool) error {
	if asJSON {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(map[string]any{"alarms": st})
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ALARM\tSTATE\tSINCE\tRULE\tREASON")
	for _, s := range st {
		since := "-"
		if !s.Since.IsZero() {
			since = s.Since.Local().Format("15:04:05")
		}
		rule := fmt.Sprintf("%s %s %s %g, %d of %d", s.Signal.Kind, s.Signal.Metric, s.Comparison, s.Threshold, s.Datapoints, s.Periods)
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", s.Name, s.State, since, rule, s.Reason)
	}
	return tw.Flush()
}
