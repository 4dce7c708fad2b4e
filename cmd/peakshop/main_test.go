package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestServeHelpDocumentsEveryFlagWithItsEnvironmentVariable(t *testing.T) {
	var out bytes.Buffer
	err := run(context.Background(), []string{"serve", "--help"}, &out, &out)
	if !errors.Is(err, flag.ErrHelp) {
		t.Fatalf("err = %v", err)
	}
	for _, want := range []string{"-addr", "[PEAKSHOP_ADDR]", "-data", "[PEAKSHOP_DATA]", "-db", "[PEAKSHOP_DB]", "PEAKSHOP_ADMIN_TOKEN", "-shutdown-timeout"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("serve --help does not mention %q:\n%s", want, out.String())
		}
	}
}

func TestUnknownCommand(t *testing.T) {
	var out bytes.Buffer
	if err := run(context.Background(), []string{"bogus"}, &out, &out); !errors.Is(err, errUsage) {
		t.Fatalf("err = %v", err)
	}
}

// migrate, seed, then serve until cancelled (as SIGTERM does): the shop
// drains and returns without error.
func TestMigrateSeedServeAndStop(t *testing.T) {
	data := t.TempDir()
	var out bytes.Buffer
	ctx := context.Background()
	if err := run(ctx, []string{"migrate", "--data", data}, &out, &out); err != nil {
		t.Fatalf("migrate: %v\n%s", err, out.String())
	}
	if err := run(ctx, []string{"seed", "--data", data}, &out, &out); err != nil || !strings.Contains(out.String(), "seeded 2160 demo products") {
		t.Fatalf("seed: %v\n%s", err, out.String())
	}
	sctx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() {
		done <- run(sctx, []string{"serve", "--addr", "127.0.0.1:0", "--data", data, "--db", "sqlite:" + filepath.Join(data, "shop.db"), "--log-level", "warn"}, &out, &out)
	}()
	time.Sleep(300 * time.Millisecond) // let it start; stopping before start is fine too
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("serve returned %v\n%s", err, out.String())
		}
	case <-time.After(30 * time.Second):
		t.Fatal("serve did not stop within 30s of cancellation")
	}
}
