package app_test

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/peakshop/peakshop/internal/app"
)

// A worker started with --metrics-addr is scrapeable: it counts itself as a
// worker instance and reports the queues it consumes, and stops serving
// when it stops.
func TestWorkerServesMetrics(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()

	cfg := app.DefaultConfig()
	cfg.DataDir = t.TempDir()
	cfg.Demo = false
	cfg.WorkerMetricsAddr = addr
	cfg.Telemetry.ScrapeCacheTTL = 50 * time.Millisecond
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- app.RunWorker(ctx, cfg, slog.New(slog.DiscardHandler)) }()

	var body string
	for deadline := time.Now().Add(60 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		resp, err := http.Get("http://" + addr + "/metrics")
		if err != nil {
			continue
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		body = string(b)
		if strings.Contains(body, "peakshop_queue_consumer_pending_messages{") {
			break
		}
	}
	for _, want := range []string{`peakshop_instance_up{role="worker"} 1`, `peakshop_queue_up 1`,
		"peakshop_queue_consumer_pending_messages{", "go_goroutines"} {
		if !strings.Contains(body, want) {
			t.Errorf("worker /metrics lacks %q", want)
		}
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("worker: %v", err)
	}
	if _, err := http.Get("http://" + addr + "/metrics"); err == nil {
		t.Error("metrics still served after the worker stopped")
	}
}
