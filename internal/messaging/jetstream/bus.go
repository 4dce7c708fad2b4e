// Package jetstream is peakshop's message broker adapter: NATS JetStream,
// embedded in the process by default (file storage under <data>/nats, an
// in-process connection, no listening port, no signal handlers) or an
// external server or cluster by URL. It owns the streams (domain events and
// dead letters), publishing with the event id as the message id, durable
// consumers with ack deadlines, backoff, a maximum delivery count and dead
// lettering, and the dead-letter tools behind `peakshop dlq`.
package jetstream

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// Stream and subject names.
const (
	EventsStream  = "PEAKSHOP_EVENTS"
	DeadStream    = "PEAKSHOP_DLQ"
	eventsPrefix  = "peakshop.events."
	redrivePrefix = "peakshop.redrive."
	deadPrefix    = "peakshop.dlq."
)

// Config says which server to use.
type Config struct {
	// URL of an external server or cluster; empty embeds one.
	URL string
	// StoreDir is the embedded server's JetStream directory.
	StoreDir string
	// Replicas of each stream on a cluster (default 1).
	Replicas int
	// Duplicates is how long JetStream remembers message ids (default 20m):
	// a republish of the same event within it is stored once.
	Duplicates time.Duration
	// MaxAge bounds how long events are kept (default 7 days).
	MaxAge time.Duration
	Logger *slog.Logger
	// Tracing puts trace context in message headers and spans around
	// publishes and handlers (trace.go); the zero value carries headers only.
	Tracing Tracing
}

// Bus is a connection to JetStream with the shop's streams in place.
type Bus struct {
	cfg    Config
	ns     *server.Server // nil with an external server
	nc     *nats.Conn
	js     jetstream.JetStream
	logger *slog.Logger
}

// Open starts the embedded server (unless cfg.URL is set), connects and
// creates or updates the streams.
func Open(ctx context.Context, cfg Config) (*Bus, error) {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Replicas <= 0 {
		cfg.Replicas = 1
	}
	if cfg.Duplicates <= 0 {
		cfg.Duplicates = 20 * time.Minute
	}
	if cfg.MaxAge <= 0 {
		cfg.MaxAge = 7 * 24 * time.Hour
	}
	b := &Bus{cfg: cfg, logger: cfg.Logger}
	opts := []nats.Option{nats.Name("peakshop"), nats.MaxReconnects(-1), nats.ReconnectWait(250 * time.Millisecond),
		nats.DisconnectErrHandler(func(_ *nats.Conn, err error) {
			if err != nil { // nil is our own Close
				b.logger.Warn("nats disconnected", "err", err)
			}
		}),
		nats.ReconnectHandler(func(*nats.Conn) { b.logger.Info("nats reconnected") })}
	url := cfg.URL
	if url == "" {
		ns, err := startEmbedded(cfg.StoreDir)
		if err != nil {
			return nil, err
		}
		b.ns = ns
		opts = append(opts, nats.InProcessServer(ns))
	}
	nc, err := nats.Connect(url, opts...)
	if err != nil {
		b.shutdownServer()
		return nil, fmt.Errorf("jetstream: connect: %w", err)
	}
	b.nc = nc
	if b.js, err = jetstream.New(nc, jetstream.WithPublishAsyncMaxPending(4096)); err != nil {
		b.Close()
		return nil, fmt.Errorf("jetstream: %w", err)
	}
	if err := b.ensureStreams(ctx); err != nil {
		b.Close()
		return nil, err
	}
	return b, nil
}

// startEmbedded runs a JetStream server inside the process. It listens on
// no port (DontListen) and leaves signals to the host (NoSigs).
func startEmbedded(dir string) (*server.Server, error) {
	if dir == "" {
		return nil, errors.New("jetstream: the embedded server needs a store directory")
	}
	ns, err := server.NewServer(&server.Options{ServerName: "peakshop", JetStream: true, StoreDir: dir,
		DontListen: true, NoSigs: true, NoLog: true, JetStreamMaxMemory: 64 << 20})
	if err != nil {
		return nil, fmt.Errorf("jetstream: embedded server: %w", err)
	}
	ns.Start()
	if !ns.ReadyForConnections(30 * time.Second) {
		ns.Shutdown()
		return nil, errors.New("jetstream: embedded server did not start within 30s")
	}
	return ns, nil
}

func (b *Bus) ensureStreams(ctx context.Context) error {
	for _, sc := range []jetstream.StreamConfig{
		{Name: EventsStream, Subjects: []string{eventsPrefix + ">", redrivePrefix + ">"}, Storage: jetstream.FileStorage,
			Retention: jetstream.LimitsPolicy, MaxAge: b.cfg.MaxAge, Duplicates: b.cfg.Duplicates, Replicas: b.cfg.Replicas},
		{Name: DeadStream, Subjects: []string{deadPrefix + ">"}, Storage: jetstream.FileStorage,
			Retention: jetstream.LimitsPolicy, MaxAge: 30 * 24 * time.Hour, Duplicates: b.cfg.Duplicates, Replicas: b.cfg.Replicas},
	} {
		if _, err := b.js.CreateOrUpdateStream(ctx, sc); err != nil {
			return fmt.Errorf("jetstream: stream %s: %w", sc.Name, err)
		}
	}
	return nil
}

// JetStream exposes the client for tools and tests.
func (b *Bus) JetStream() jetstream.JetStream { return b.js }

// Ping checks the connection, for readiness probes.
func (b *Bus) Ping(ctx context.Context) error {
	if _, err := b.js.AccountInfo(ctx); err != nil {
		return fmt.Errorf("jetstream: %w", err)
	}
	return nil
}

// Close drains the connection (in-flight acks and publishes finish) and
// stops the embedded server.
func (b *Bus) Close() error {
	var err error
	if b.nc != nil {
		err = b.nc.Drain()
		for b.nc.IsDraining() {
			time.Sleep(10 * time.Millisecond)
		}
	}
	b.shutdownServer()
	return err
}

func (b *Bus) shutdownServer() {
	if b.ns != nil {
		b.ns.Shutdown()
		b.ns.WaitForShutdown()
	}
}
