package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"github.com/peakshop/peakshop/internal/app"
	"github.com/peakshop/peakshop/internal/fulfillment/operator"
	"github.com/peakshop/peakshop/internal/platform/flagenv"
)

const ordersDoc = `Inspect and repair fulfillment workflows (one per order, id = order id).

  orders stuck        workflows that failed, and those pending or queued past --deadline
  orders resume ID    retry an order's workflow from its last completed step (a worker runs it)`

// runOrders dispatches `peakshop orders stuck|resume`.
func runOrders(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cfg := app.DefaultConfig()
	fs := newFlagSet("orders", ordersDoc, stderr)
	cfg.StorageFlags(fs)
	deadline := fs.Duration("deadline", 10*time.Minute, "stuck: how long a workflow may stay pending or queued")
	limit := fs.Int("limit", 100, "stuck: the most workflows shown")
	if err := flagenv.Parse(fs, "PEAKSHOP", args); err != nil {
		return err
	}
	sub := fs.Arg(0)
	if !(sub == "stuck" && fs.NArg() == 1) && !(sub == "resume" && fs.NArg() == 2) {
		fs.Usage()
		return errors.Join(errors.New("orders: want stuck or resume ID"), errUsage)
	}
	logger, err := newLogger(cfg.LogLevel, stderr)
	if err != nil {
		return err
	}
	op, err := operator.Open(ctx, cfg.WorkflowDB(), cfg.WorkflowSchema(), logger)
	if err != nil {
		return err
	}
	defer op.Close()
	if sub == "resume" {
		if err := op.Resume(fs.Arg(1)); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "order %s resumed\n", fs.Arg(1))
		return nil
	}
	ws, err := op.Stuck(*deadline, *limit)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ORDER\tSTATUS\tQUEUE\tCREATED\tUPDATED\tERROR")
	for _, w := range ws {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", w.OrderID, w.Status, w.Queue, w.CreatedAt.Format(time.RFC3339), w.UpdatedAt.Format(time.RFC3339), w.Error)
	}
	return tw.Flush()
}
