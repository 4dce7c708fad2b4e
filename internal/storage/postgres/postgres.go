// Package postgres opens peakshop on PostgreSQL through pgx (pgxpool plus its
// database/sql adapter), served by the shared SQL in sqlstore. It owns what is
// PostgreSQL-specific: pool setup, the engine's migrations and the meaning of
// its SQLSTATE error codes.
package postgres

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"log/slog"
	"runtime"

	"github.com/XSAM/otelsql"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"

	"github.com/peakshop/peakshop/internal/platform/dbtrace"
	"github.com/peakshop/peakshop/internal/storage/sqlstore"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// Open connects to the database at url (a postgres:// URL or key=value DSN;
// pool_max_conns and other pgxpool settings may be given in it) and returns a
// Store over it. It does not migrate: call Migrate.
func Open(ctx context.Context, url string, logger *slog.Logger, opts ...sqlstore.Option) (*sqlstore.Store, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		// The URL may hold a password: do not echo it.
		return nil, fmt.Errorf("postgres: parse database URL: %w", errRedacted)
	}
	return OpenConfig(ctx, cfg, logger, opts...)
}

// OpenConfig is Open for a parsed pool configuration, for callers that set
// runtime parameters themselves (tests put each run in its own schema by
// setting search_path in cfg.ConnConfig.RuntimeParams).
func OpenConfig(ctx context.Context, cfg *pgxpool.Config, logger *slog.Logger, opts ...sqlstore.Option) (*sqlstore.Store, error) {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	// pgxpool's default (max(4, NumCPU)) starves a checkout burst: every
	// transaction holds its connection for a few round trips.
	if cfg.MaxConns == defaultPoolSize() {
		cfg.MaxConns = int32(max(16, 4*runtime.GOMAXPROCS(0)))
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("postgres: create pool: %w", err)
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("postgres: connect: %w", err)
	}
	// Queries become spans under the request's span (see dbtrace).
	db := otelsql.OpenDB(stdlib.GetPoolConnector(pool), dbtrace.Options("postgresql")...)
	db.SetMaxOpenConns(int(cfg.MaxConns))
	migrations, err := fs.Sub(migrationFiles, "migrations")
	if err != nil {
		pool.Close()
		return nil, fmt.Errorf("postgres: migrations: %w", err)
	}
	return sqlstore.New(sqlstore.Config{
		Write: db,
		Dialect: sqlstore.Dialect{
			Name:       "postgres",
			Goose:      goose.DialectPostgres,
			Migrations: migrations,
			Classify:   classify,
			// Round trips, not statements, are most of a short transaction's
			// cost on a busy server: the paid settlement is one statement.
			WritableCTE: true,
		},
		Logger: logger.With("db", "postgres"),
		Close:  func() error { pool.Close(); return nil },
	}, opts...)
}

// defaultPoolSize is pgxpool's own default, used to tell whether the URL set
// pool_max_conns.
func defaultPoolSize() int32 { return int32(max(4, runtime.NumCPU())) }
