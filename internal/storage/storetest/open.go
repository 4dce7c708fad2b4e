package storetest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	neturl "net/url"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/peakshop/peakshop/internal/storage/postgres"
	"github.com/peakshop/peakshop/internal/storage/sqlite"
	"github.com/peakshop/peakshop/internal/storage/sqlstore"
)

// PostgresEnv names the variable holding a PostgreSQL URL for tests; the
// PostgreSQL runs are skipped when it is empty.
const PostgresEnv = "PEAKSHOP_TEST_POSTGRES"

// Engines returns an opener per engine, for tests that should run on every
// engine: `for name, open := range storetest.Engines() { t.Run(name, ...) }`.
// The PostgreSQL opener skips the test when PostgresEnv is unset.
func Engines() map[string]func(testing.TB) *sqlstore.Store {
	return map[string]func(testing.TB) *sqlstore.Store{
		"sqlite":   OpenSQLite,
		"postgres": OpenPostgres,
	}
}

// OpenSQLite returns a migrated, empty store on a fresh file under tb.TempDir,
// closed when the test ends.
func OpenSQLite(tb testing.TB) *sqlstore.Store {
	tb.Helper()
	ctx := context.Background()
	s, err := sqlite.Open(ctx, filepath.Join(tb.TempDir(), "data", "shop.db"), nil)
	if err != nil {
		tb.Fatalf("open sqlite: %v", err)
	}
	tb.Cleanup(func() {
		if err := s.Close(); err != nil {
			tb.Errorf("close sqlite: %v", err)
		}
	})
	if err := s.Migrate(ctx); err != nil {
		tb.Fatalf("migrate sqlite: %v", err)
	}
	return s
}

// OpenPostgres returns a migrated, empty store in a schema of its own on the
// database named by PostgresEnv, so tests run in parallel and repeatedly
// without seeing each other. The schema is dropped when the test ends. The
// test is skipped when PostgresEnv is unset.
func OpenPostgres(tb testing.TB) *sqlstore.Store {
	tb.Helper()
	url := os.Getenv(PostgresEnv)
	if url == "" {
		tb.Skipf("%s is not set; skipping the PostgreSQL run", PostgresEnv)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	schema := newSchema(tb, url, "t_")
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		tb.Fatalf("parse %s: %v", PostgresEnv, err)
	}
	cfg.ConnConfig.RuntimeParams["search_path"] = schema
	s, err := postgres.OpenConfig(ctx, cfg, nil)
	if err != nil {
		tb.Fatalf("open postgres: %v", err)
	}
	// Registered after dropSchema, so it runs first: cleanups run last in,
	// first out, and the pool must be gone before the schema is dropped.
	tb.Cleanup(func() {
		if err := s.Close(); err != nil {
			tb.Errorf("close postgres: %v", err)
		}
	})
	if err := s.Migrate(ctx); err != nil {
		tb.Fatalf("migrate postgres: %v", err)
	}
	return s
}

// SchemaURL makes a schema of its own for one test on the PostgreSQL
// server of base and returns base with search_path set to it, for tests
// that start a whole shop from a URL. The schema goes when the test ends,
// with the workflow engine's schema the shop derives from it
// (<schema>_dbos, see app/pipeline.go), if any.
func SchemaURL(tb testing.TB, base, prefix string) string {
	tb.Helper()
	u, err := neturl.Parse(base)
	if err != nil {
		tb.Fatalf("parse %s: %v", base, err)
	}
	schema := newSchema(tb, base, prefix)
	tb.Cleanup(func() { dropSchema(tb, base, schema+"_dbos") })
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// newSchema creates a uniquely named schema and drops it when the test
// ends.
func newSchema(tb testing.TB, url, prefix string) string {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	schema := prefix + randomHex(8)
	admin, err := pgx.Connect(ctx, url)
	if err != nil {
		tb.Fatalf("connect to %s: %v", PostgresEnv, err)
	}
	defer admin.Close(ctx)
	if _, err := admin.Exec(ctx, "CREATE SCHEMA "+schema); err != nil {
		tb.Fatalf("create schema: %v", err)
	}
	tb.Cleanup(func() { dropSchema(tb, url, schema) })
	return schema
}

func dropSchema(tb testing.TB, url, schema string) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		tb.Errorf("connect to drop schema %s: %v", schema, err)
		return
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "DROP SCHEMA IF EXISTS "+schema+" CASCADE"); err != nil {
		tb.Errorf("drop schema %s: %v", schema, err)
	}
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // crypto/rand.Read never fails on supported platforms
	return hex.EncodeToString(b)
}
