// Package sqlstore is peakshop's one repository layer over database/sql: the
// SQL for the catalog, carts, checkout, orders, idempotency keys and settings,
// written once so that it runs unchanged on SQLite and PostgreSQL ($1
// placeholders, RETURNING, ON CONFLICT, SAVEPOINT). What truly differs
// between the engines (connection setup, migrations, error codes) lives in
// the sqlite and postgres packages and reaches this one as a Dialect.
//
// Times are stored as BIGINT unix microseconds on both engines: it compares,
// sorts and round-trips identically everywhere, with no driver-specific time
// parsing. Values finer than a microsecond are truncated.
package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/peakshop/peakshop/internal/domain/cart"
	"github.com/peakshop/peakshop/internal/domain/catalog"
	"github.com/peakshop/peakshop/internal/domain/order"
)

// The Store satisfies every storage port of the domain.
var (
	_ catalog.Store = (*Store)(nil)
	_ cart.Store    = (*Store)(nil)
	_ order.Store   = (*Store)(nil)
)

// Store implements catalog.Store, cart.Store and order.Store. It is safe for
// concurrent use.
type Store struct {
	write    *stmtCache // every write and every transaction
	read     *stmtCache // reads outside transactions; the same pool as write on PostgreSQL
	dialect  Dialect
	logger   *slog.Logger
	currency string
	now      func() time.Time
	closers  []func() error
	group    *groupCommitter // nil unless the dialect asks for group commit
	promos   promoSnapshot   // promotions not yet ended, for pricing without a query
}

// Config is what an engine package hands to New.
type Config struct {
	// Write runs transactions and writes. On SQLite it must hold a single
	// connection so that writers queue in Go instead of spinning on
	// SQLITE_BUSY.
	Write *sql.DB
	// Read serves reads outside transactions; nil means Write.
	Read    *sql.DB
	Dialect Dialect
	Logger  *slog.Logger
	// Close releases what the engine opened besides the two pools (for
	// example a pgxpool). It runs after the pools are closed.
	Close func() error
}

// Option adjusts a Store. Engine packages accept options and pass them on.
type Option func(*Store)

// WithCurrency sets the shop currency that carts are priced in (default USD).
func WithCurrency(code string) Option { return func(s *Store) { s.currency = code } }

// WithClock sets the clock for times the ports do not pass in (product
// timestamps). Tests use it to make those times predictable.
func WithClock(now func() time.Time) Option { return func(s *Store) { s.now = now } }

// New wraps open pools in a Store.
func New(cfg Config, opts ...Option) (*Store, error) {
	if cfg.Write == nil {
		return nil, errors.New("sqlstore: Config.Write is nil")
	}
	if cfg.Read == nil {
		cfg.Read = cfg.Write
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Dialect.Classify == nil {
		cfg.Dialect.Classify = func(error) Class { return ClassOther }
	}
	s := &Store{
		dialect:  cfg.Dialect,
		logger:   cfg.Logger,
		currency: "USD",
		now:      time.Now,
	}
	s.write = newStmtCache(cfg.Write, cfg.Dialect.Prepare)
	if cfg.Read == cfg.Write {
		s.read = s.write
	} else {
		s.read = newStmtCache(cfg.Read, cfg.Dialect.Prepare)
	}
	if cfg.Close != nil {
		s.closers = append(s.closers, cfg.Close)
	}
	for _, o := range opts {
		o(s)
	}
	if cfg.Dialect.GroupCommit {
		s.group = newGroupCommitter(s)
	}
	return s, nil
}

// Dialect returns the engine's dialect, so callers can log or branch on Name.
func (s *Store) Dialect() Dialect { return s.dialect }

// Currency returns the shop currency carts are priced in.
func (s *Store) Currency() string { return s.currency }

// Ping checks that both pools can reach the database; readiness probes use it.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.write.db.PingContext(ctx); err != nil {
		return fmt.Errorf("sqlstore: ping writer: %w", err)
	}
	if s.read != s.write {
		if err := s.read.db.PingContext(ctx); err != nil {
			return fmt.Errorf("sqlstore: ping readers: %w", err)
		}
	}
	return nil
}

// Close closes prepared statements, then the pools, then whatever the engine
// registered. The Store is unusable afterwards.
func (s *Store) Close() error {
	if s.group != nil {
		s.group.close()
	}
	var errs []error
	errs = append(errs, s.write.close())
	if s.read != s.write {
		errs = append(errs, s.read.close())
	}
	for _, c := range s.closers {
		errs = append(errs, c())
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("sqlstore: close: %w", err)
	}
	return nil
}

// micros and fromMicros are the one place times cross into and out of SQL.
func micros(t time.Time) int64 { return t.UnixMicro() }

func fromMicros(us int64) time.Time { return time.UnixMicro(us).UTC() }
