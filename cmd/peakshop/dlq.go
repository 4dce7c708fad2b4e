package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"strconv"
	"text/tabwriter"
	"time"

	"github.com/peakshop/peakshop/internal/app"
	"github.com/peakshop/peakshop/internal/messaging/jetstream"
	"github.com/peakshop/peakshop/internal/platform/flagenv"
)

const dlqDoc = `Inspect and replay dead letters: events a subscriber gave up on.

  dlq list          the dead letters, oldest first (sequence, consumer, event, attempts, error)
  dlq show SEQ      one dead letter with its event, as JSON
  dlq redrive SEQ   hand it back to the subscriber that failed it (and only that one),
                    in the trace of the request that recorded the event

The embedded JetStream store has one owner: against a running embedded shop,
stop it first or point both at a NATS server with --nats.`

// runDLQ dispatches `peakshop dlq list|show|redrive`.
func runDLQ(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cfg := app.DefaultConfig()
	fs := newFlagSet("dlq", dlqDoc, stderr)
	cfg.StorageFlags(fs)
	fs.StringVar(&cfg.Pipeline.NATS, "nats", cfg.Pipeline.NATS, "NATS URL of an external JetStream server (default: embedded, under <data>/nats)")
	limit := fs.Int("limit", 100, "list: the most dead letters shown")
	if err := flagenv.Parse(fs, "PEAKSHOP", args); err != nil {
		return err
	}
	sub, seq, err := dlqArgs(fs)
	if err != nil {
		fs.Usage()
		return err
	}
	logger, err := newLogger(cfg.LogLevel, stderr)
	if err != nil {
		return err
	}
	bus, err := cfg.OpenBus(ctx, logger)
	if err != nil {
		return err
	}
	defer bus.Close()
	switch sub {
	case "list":
		dls, err := bus.DeadLetters(ctx, *limit)
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "SEQ\tCONSUMER\tEVENT\tATTEMPTS\tFAILED AT\tERROR")
		for _, d := range dls {
			fmt.Fprintf(tw, "%d\t%s\t%s\t%d\t%s\t%s\n", d.Seq, d.Consumer, d.EventID, d.Attempts, d.FailedAt.Format(time.RFC3339), d.Error)
		}
		return tw.Flush()
	case "show":
		d, err := bus.DeadLetter(ctx, seq)
		if err != nil {
			return err
		}
		return writeDeadLetter(stdout, d)
	default: // redrive
		if err := bus.Redrive(ctx, seq); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "dead letter %d redriven\n", seq)
		return nil
	}
}

// dlqArgs checks the subcommand and its sequence number.
func dlqArgs(fs *flag.FlagSet) (sub string, seq uint64, err error) {
	switch sub = fs.Arg(0); {
	case sub == "list" && fs.NArg() == 1:
		return sub, 0, nil
	case (sub == "show" || sub == "redrive") && fs.NArg() == 2:
		seq, err := strconv.ParseUint(fs.Arg(1), 10, 64)
		if err != nil || seq == 0 {
			return "", 0, fmt.Errorf("dlq %s: %q is not a dead letter's sequence number: %w", sub, fs.Arg(1), errUsage)
		}
		return sub, seq, nil
	}
	return "", 0, errors.Join(errors.New("dlq: want list, show SEQ or redrive SEQ"), errUsage)
}

// writeDeadLetter prints a dead letter with its event decoded, not base64.
func writeDeadLetter(w io.Writer, d jetstream.DeadLetter) error {
	v := struct {
		jetstream.DeadLetter
		Data  any             `json:"-"`
		Event json.RawMessage `json:"event"`
	}{DeadLetter: d, Event: d.Data}
	if !json.Valid(d.Data) {
		v.Event, _ = json.Marshal(string(d.Data))
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
