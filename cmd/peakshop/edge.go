package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"

	"github.com/peakshop/peakshop/internal/edge"
)

// runEdge runs `peakshop edge`: the edge alone in front of HTTP origins,
// until ctx is cancelled. Flags and their PEAKSHOP_EDGE_* equivalents are
// listed by --help.
func runEdge(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cfg, err := edge.ParseArgs(args, os.Getenv, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("edge: %w", err)
	}
	logger := slog.New(slog.NewJSONHandler(stderr, nil))
	if limit := edge.TuneGC(os.Getenv, cfg.Cache.MaxBytes); limit > 0 {
		logger.Info("garbage collector tuned for an edge; set GOGC or GOMEMLIMIT to choose yourself", "gogc", edge.GCPercent, "memory_limit_bytes", limit)
	}
	e, err := edge.New(cfg, logger)
	if err != nil {
		return fmt.Errorf("edge: %w", err)
	}
	defer e.Close()
	errc := make(chan error, 1)
	go func() { errc <- e.Run(ctx) }()
	select {
	case <-e.Ready():
		scheme := "http"
		if cfg.TLS.CertFile != "" || cfg.TLS.SelfSigned {
			scheme = "https"
		}
		fmt.Fprintf(stdout, "edge listening on %s://%s (admin %s)\n", scheme, e.Addr(), e.AdminAddress())
	case err := <-errc:
		return err
	}
	return <-errc
}
