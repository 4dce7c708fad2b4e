package main

import (
	"bytes"
	"context"
	"encoding/json"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/dbos-inc/dbos-transact-golang/dbos"

	"github.com/peakshop/peakshop/internal/domain/event"
	"github.com/peakshop/peakshop/internal/fulfillment"
	"github.com/peakshop/peakshop/internal/storage/sqlite"
)

func waitUntil(tb testing.TB, what string, cond func() bool) {
	tb.Helper()
	for deadline := time.Now().Add(90 * time.Second); !cond(); time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			tb.Fatalf("gave up waiting for %s", what)
		}
	}
}

// The worker relays the outbox to the subscribers until cancelled, as
// SIGTERM does, then stops cleanly; dlq and orders then inspect what it
// left behind (the embedded JetStream and DBOS stores in the data folder).
func TestWorkerDLQAndOrdersCommands(t *testing.T) {
	data := t.TempDir()
	ctx := context.Background()
	var out bytes.Buffer
	if err := run(ctx, []string{"migrate", "--data", data}, &out, &out); err != nil {
		t.Fatalf("migrate: %v\n%s", err, out.String())
	}
	st, err := sqlite.Open(ctx, filepath.Join(data, "shop.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	changed, err := event.New("p7:changed", event.ProductChanged, "7", time.Now(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := st.AppendEvents(ctx, changed); err != nil {
		t.Fatal(err)
	}

	// worker
	wctx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- run(wctx, []string{"worker", "--data", data, "--log-level", "warn"}, &out, &out) }()
	waitUntil(t, "the worker to count the event", func() bool {
		c, err := st.Counters(ctx)
		return err == nil && c["events.product.changed"] == 1
	})
	stop()
	if err := <-done; err != nil {
		t.Fatalf("worker: %v\n%s", err, out.String())
	}

	// A dead letter for dlq to show.
	const failure = "no handler for inventory.low yet"
	low, _ := event.New("o1:low:SKU-1", event.InventoryLow, "SKU-1", time.Now(), map[string]int{"available": 1})
	seq := deadLetterOne(t, ctx, data, low, failure)
	out.Reset()
	if err := run(ctx, []string{"dlq", "--data", data, "show", seq}, &out, &out); err != nil {
		t.Fatalf("dlq show: %v\n%s", err, out.String())
	}
	var shown struct {
		Consumer string `json:"consumer"`
		Error    string `json:"error"`
		Event    struct {
			ID string `json:"id"`
		} `json:"event"`
	}
	if err := json.Unmarshal(out.Bytes(), &shown); err != nil || shown.Consumer != "broken" || shown.Event.ID != low.ID || shown.Error != failure {
		t.Fatalf("dlq show: %v\n%s", err, out.String())
	}
	out.Reset()
	if err := run(ctx, []string{"dlq", "--data", data, "redrive", seq}, &out, &out); err != nil || !strings.Contains(out.String(), "redriven") {
		t.Fatalf("dlq redrive: %v\n%s", err, out.String())
	}
	out.Reset()
	if err := run(ctx, []string{"dlq", "--data", data, "list"}, &out, &out); err != nil || strings.Contains(out.String(), "broken") {
		t.Fatalf("dlq list after redrive: %v\n%s", err, out.String())
	}

	// A cancelled workflow for orders stuck and resume. No worker runs, so
	// the resumed workflow just waits in its queue.
	c, err := dbos.NewClient(ctx, dbos.ClientConfig{DatabaseURL: "sqlite:" + filepath.Join(data, "workflows.db"), AppName: "peakshop"})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Shutdown(c, 5*time.Second)
	if _, err := c.Enqueue(c, fulfillment.FulfillmentQueue, "peakshop.fulfil-order", map[string]string{},
		dbos.WithEnqueueWorkflowID("ord-stuck-1"), dbos.WithEnqueueApplicationVersion("peakshop-1")); err != nil {
		t.Fatal(err)
	}
	if err := dbos.CancelWorkflow(c, "ord-stuck-1"); err != nil {
		t.Fatal(err)
	}
	out.Reset()
	if err := run(ctx, []string{"orders", "--data", data, "stuck"}, &out, &out); err != nil ||
		!regexp.MustCompile(`(?m)^ord-stuck-1\s+CANCELLED`).MatchString(out.String()) {
		t.Fatalf("orders stuck: %v\n%s", err, out.String())
	}
	out.Reset()
	if err := run(ctx, []string{"orders", "--data", data, "resume", "ord-stuck-1"}, &out, &out); err != nil || !strings.Contains(out.String(), "resumed") {
		t.Fatalf("orders resume: %v\n%s", err, out.String())
	}
	ws, err := dbos.ListWorkflows(c, dbos.WithFilterWorkflowIDs("ord-stuck-1"))
	if err != nil || len(ws) != 1 || ws[0].Status != dbos.WorkflowStatusEnqueued {
		t.Fatalf("after resume: %v %+v", err, ws)
	}
}

func TestPipelineCommandsRefuseBadArguments(t *testing.T) {
	for _, args := range [][]string{{"dlq"}, {"dlq", "show"}, {"dlq", "show", "x"}, {"orders"}, {"orders", "resume"}, {"orders", "stuck", "extra"}} {
		var out bytes.Buffer
		if err := run(context.Background(), args, &out, &out); err == nil {
			t.Errorf("%v: no error", args)
		}
	}
}
