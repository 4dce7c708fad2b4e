package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/otel/trace"

	"github.com/peakshop/peakshop/internal/domain/event"
	"github.com/peakshop/peakshop/internal/messaging/jetstream"
)

// `dlq show` names the failed event's trace, and `dlq redrive` sends the
// event on in it: the subscriber handles the redriven event in the trace of
// the request that recorded it.
func TestDLQRedriveContinuesTheTrace(t *testing.T) {
	data := t.TempDir()
	ctx := context.Background()
	var out bytes.Buffer
	if err := run(ctx, []string{"migrate", "--data", data}, &out, &out); err != nil {
		t.Fatalf("migrate: %v\n%s", err, out.String())
	}
	tid, _ := trace.TraceIDFromHex("4bf92f3577b34da6a3ce929d0e0e4736")
	sid, _ := trace.SpanIDFromHex("00f067aa0ba902b7")
	recorded := trace.ContextWithSpanContext(ctx, trace.NewSpanContext(trace.SpanContextConfig{TraceID: tid, SpanID: sid, TraceFlags: trace.FlagsSampled}))

	low, _ := event.New("o9:low:SKU-9", event.InventoryLow, "SKU-9", time.Now(), map[string]int{"available": 1})
	seq := deadLetterOne(t, recorded, data, low, "not yet")
	out.Reset()
	if err := run(ctx, []string{"dlq", "--data", data, "show", seq}, &out, &out); err != nil {
		t.Fatalf("dlq show: %v\n%s", err, out.String())
	}
	var shown struct {
		Trace map[string]string `json:"trace"`
	}
	if err := json.Unmarshal(out.Bytes(), &shown); err != nil || !strings.Contains(shown.Trace["traceparent"], tid.String()) {
		t.Fatalf("dlq show: %v\n%s", err, out.String())
	}
	out.Reset()
	if err := run(ctx, []string{"dlq", "--data", data, "redrive", seq}, &out, &out); err != nil {
		t.Fatalf("dlq redrive: %v\n%s", err, out.String())
	}

	// The fixed subscriber, same durable consumer, gets the redrive.
	bus, err := jetstream.Open(ctx, jetstream.Config{StoreDir: filepath.Join(data, "nats")})
	if err != nil {
		t.Fatal(err)
	}
	defer bus.Close()
	seen := make(chan trace.TraceID, 1)
	unsub, err := bus.Subscribe(ctx, jetstream.Subscription{Name: "broken", Types: []event.Type{event.InventoryLow},
		Handler: func(ctx context.Context, e event.Event) error {
			seen <- trace.SpanContextFromContext(ctx).TraceID()
			return nil
		}})
	if err != nil {
		t.Fatal(err)
	}
	defer unsub()
	select {
	case got := <-seen:
		if got != tid {
			t.Errorf("redriven event handled in trace %s, want %s", got, tid)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("the redriven event was not handled")
	}
}

// deadLetterOne has consumer "broken" fail e once, e published under pubCtx
// (and so in its trace), waits for the dead letter, closes the bus, and
// returns the letter's sequence as `peakshop dlq list` prints it.
func deadLetterOne(t *testing.T, pubCtx context.Context, data string, e event.Event, failure string) string {
	t.Helper()
	ctx := context.Background()
	bus, err := jetstream.Open(ctx, jetstream.Config{StoreDir: filepath.Join(data, "nats")})
	if err != nil {
		t.Fatal(err)
	}
	unsub, err := bus.Subscribe(ctx, jetstream.Subscription{Name: "broken", Types: []event.Type{e.Type}, MaxDeliver: 1,
		Handler: func(context.Context, event.Event) error { return errors.New(failure) }})
	if err != nil {
		t.Fatal(err)
	}
	if err := bus.Publish(pubCtx, e); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, "the dead letter", func() bool { dls, _ := bus.DeadLetters(ctx, 10); return len(dls) == 1 })
	unsub()
	bus.Close()

	var out bytes.Buffer
	if err := run(ctx, []string{"dlq", "--data", data, "list"}, &out, &out); err != nil {
		t.Fatalf("dlq list: %v\n%s", err, out.String())
	}
	m := regexp.MustCompile(`(?m)^(\d+)\s+broken\s+` + regexp.QuoteMeta(e.ID) + `\s+1\s`).FindStringSubmatch(out.String())
	if m == nil {
		t.Fatalf("dlq list:\n%s", out.String())
	}
	return m[1]
}
