package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/peakshop/peakshop/internal/messaging/jetstream"
	"github.com/peakshop/peakshop/internal/telemetry"
)

// workerMetrics serves a worker's /metrics and /healthz on --metrics-addr
// (off when empty): the Go runtime and process, peakshop_instance_up with
// role "worker" (so instance counts include workers) and the queues from
// JetStream. A worker has no other HTTP listener; the shop's serving
// processes expose theirs on the main port.
type workerMetrics struct {
	srv  *http.Server
	done chan struct{}
	addr net.Addr
}

func startWorkerMetrics(addr string, bus *jetstream.Bus, ttl time.Duration, logger *slog.Logger) (*workerMetrics, error) {
	if addr == "" {
		return &workerMetrics{}, nil
	}
	reg := telemetry.NewRegistry()
	if err := reg.Register(bus.Collector(ttl)); err != nil {
		return nil, fmt.Errorf("worker metrics: %w", err)
	}
	if err := telemetry.RegisterInstance(reg, "worker"); err != nil {
		return nil, fmt.Errorf("worker metrics: %w", err)
	}
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{Registry: reg}))
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte("ok\n")) })
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("worker metrics: %w", err)
	}
	m := &workerMetrics{srv: &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second, IdleTimeout: time.Minute},
		done: make(chan struct{}), addr: ln.Addr()}
	go func() {
		defer close(m.done)
		if err := m.srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			logger.Error("worker metrics stopped", "err", err)
		}
	}()
	logger.Info("worker metrics listening", "addr", ln.Addr().String())
	return m, nil
}

func (m *workerMetrics) close() {
	if m.srv == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = m.srv.Shutdown(ctx)
	<-m.done
}
