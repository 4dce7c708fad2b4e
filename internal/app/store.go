package app

import (
	"context"
	"fmt"
	"log/slog"
	"strings"

	"github.com/peakshop/peakshop/internal/storage/postgres"
	"github.com/peakshop/peakshop/internal/storage/sqlite"
	"github.com/peakshop/peakshop/internal/storage/sqlstore"
)

// OpenStore opens the database a URL names, sqlite:PATH or postgres://...,
// pricing in the shop currency.
func OpenStore(ctx context.Context, dsn, currency string, logger *slog.Logger) (*sqlstore.Store, error) {
	cur := sqlstore.WithCurrency(currency)
	switch {
	case strings.HasPrefix(dsn, "sqlite:"):
		path := strings.TrimPrefix(strings.TrimPrefix(dsn, "sqlite:"), "//")
		if path == "" {
			return nil, fmt.Errorf("database URL %q names no file", dsn)
		}
		return sqlite.Open(ctx, path, logger, cur)
	case strings.HasPrefix(dsn, "postgres://"), strings.HasPrefix(dsn, "postgresql://"):
		return postgres.Open(ctx, dsn, logger, cur)
	default:
		return nil, fmt.Errorf("database URL %q: want sqlite:PATH or postgres://", maskURL(dsn))
	}
}
