// Package sqlite opens peakshop's embedded default database: a single SQLite
// file in WAL mode through the pure-Go modernc.org/sqlite driver, served by
// the shared SQL in sqlstore. It owns what is SQLite-specific: the connection
// settings, the split between one writer connection and a read-only pool, the
// engine's migrations and the meaning of its error codes.
//
// One writer connection is deliberate: SQLite allows one writer at a time
// anyway, and queueing writers in Go (database/sql's pool) is far cheaper and
// fairer than letting several connections spin on SQLITE_BUSY. Readers never
// block the writer under WAL, so they get a pool of their own. Concurrent
// write transactions are group-committed (sqlstore.Dialect.GroupCommit): each
// runs in a savepoint of a shared transaction and one commit serves them all,
// which is what lets the single writer keep up with a checkout rush.
package sqlite

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"time"

	"database/sql"

	"github.com/XSAM/otelsql"
	"github.com/pressly/goose/v3"
	_ "modernc.org/sqlite" // registers the "sqlite" database/sql driver

	"github.com/peakshop/peakshop/internal/platform/dbtrace"
	"github.com/peakshop/peakshop/internal/storage/sqlstore"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// busyTimeout is how long a connection waits for a lock held by another
// process (a `peakshop migrate` next to a running server, say) before
// SQLITE_BUSY. Within one process the single writer never meets it.
const busyTimeout = 5 * time.Second

// Open opens (creating if needed, with its parent directory) the database file
// at path and returns a Store over it. It does not migrate: call Migrate.
func Open(ctx context.Context, path string, logger *slog.Logger, opts ...sqlstore.Option) (*sqlstore.Store, error) {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	if dir := filepath.Dir(path); dir != "" {
		if err := os.MkdirAll(dir, 0o750); err != nil {
			return nil, fmt.Errorf("sqlite: create data directory: %w", err)
		}
	}
	write, err := openPool(ctx, path, false)
	if err != nil {
		return nil, err
	}
	// One connection, never closed for idleness: its prepared statements
	// and page cache are the hot path's working set.
	write.SetMaxOpenConns(1)
	write.SetMaxIdleConns(1)
	write.SetConnMaxLifetime(0)
	write.SetConnMaxIdleTime(0)
	// The writer must exist first: it switches the file to WAL, which the
	// read-only connections cannot do.
	read, err := openPool(ctx, path, true)
	if err != nil {
		_ = write.Close()
		return nil, err
	}
	readers := max(4, runtime.GOMAXPROCS(0))
	read.SetMaxOpenConns(readers)
	read.SetMaxIdleConns(readers)
	read.SetConnMaxIdleTime(0)
	migrations, err := fs.Sub(migrationFiles, "migrations")
	if err != nil {
		return nil, fmt.Errorf("sqlite: migrations: %w", err)
	}
	ckpt, err := startCheckpointer(ctx, path, logger)
	if err != nil {
		_ = write.Close()
		_ = read.Close()
		return nil, err
	}
	return sqlstore.New(sqlstore.Config{
		Write: write,
		Read:  read,
		Dialect: sqlstore.Dialect{
			Name:        "sqlite",
			Goose:       goose.DialectSQLite3,
			Migrations:  migrations,
			Classify:    classify,
			Prepare:     true,
			GroupCommit: true,
		},
		Logger: logger.With("db", "sqlite"),
		Close:  ckpt.close,
	}, opts...)
}

// openPool opens a pool on the file and checks one connection. Every
// connection gets the same pragmas; readers are additionally query_only, so a
// write through the wrong pool fails loudly instead of racing the writer.
func openPool(ctx context.Context, path string, readOnly bool) (*sql.DB, error) {
	q := url.Values{}
	q.Add("_pragma", fmt.Sprintf("busy_timeout(%d)", busyTimeout.Milliseconds()))
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "synchronous(NORMAL)")
	q.Add("_pragma", "foreign_keys(1)")
	// A larger page cache (negative means KiB) keeps the catalog in memory.
	q.Add("_pragma", "cache_size(-32000)")
	q.Add("_pragma", "temp_store(MEMORY)")
	if readOnly {
		q.Add("_query_only", "1")
	} else {
		// BEGIN IMMEDIATE takes the write lock at the start, so a
		// transaction never fails half-way upgrading a read lock.
		q.Set("_txlock", "immediate")
		// Checkpoints run on the checkpointer's connection, not inside a
		// commit (see checkpoint.go).
		q.Add("_pragma", "wal_autocheckpoint(0)")
	}
	dsn := "file:" + path + "?" + q.Encode()
	// Reads become spans under the request's span (see dbtrace). The writer
	// is not wrapped: its transactions run group-committed on the
	// committer's goroutine, outside any request's context, so the wrapper
	// could never make a span there and only cost the single writer time
	// (8% of it in a checkout profile).
	var db *sql.DB
	var err error
	if readOnly {
		db, err = otelsql.Open("sqlite", dsn, dbtrace.Options("sqlite")...)
	} else {
		db, err = sql.Open("sqlite", dsn)
	}
	if err != nil {
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	if err := db.PingContext(ctx); err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	return db, nil
}
