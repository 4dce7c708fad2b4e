package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
)

// stmtCache keeps one prepared statement per query text for a pool. The set
// of query texts is bounded: dynamic SQL only varies by a placeholder count
// that is itself bounded (cart lines, variants per product, a page size).
type stmtCache struct {
	db      *sql.DB
	prepare bool
	stmts   sync.Map // query text -> *sql.Stmt
}

func newStmtCache(db *sql.DB, prepare bool) *stmtCache {
	return &stmtCache{db: db, prepare: prepare}
}

// lookup returns the prepared statement for query, or nil.
func (c *stmtCache) lookup(query string) *sql.Stmt {
	if !c.prepare {
		return nil
	}
	if st, ok := c.stmts.Load(query); ok {
		return st.(*sql.Stmt)
	}
	return nil
}

// stmt returns the prepared statement for query, preparing it on a miss. It
// returns nil when the dialect does not prepare or preparing failed; callers
// then run the text directly and get the same error, if any, from there.
// It must not be called while a transaction holds the pool's only
// connection: preparing would wait for that connection forever.
func (c *stmtCache) stmt(ctx context.Context, query string) *sql.Stmt {
	if !c.prepare {
		return nil
	}
	if st := c.lookup(query); st != nil {
		return st
	}
	st, err := c.db.PrepareContext(ctx, query)
	if err != nil {
		return nil
	}
	if prev, loaded := c.stmts.LoadOrStore(query, st); loaded {
		_ = st.Close()
		return prev.(*sql.Stmt)
	}
	return st
}

func (c *stmtCache) close() error {
	var errs []error
	c.stmts.Range(func(k, v any) bool {
		errs = append(errs, v.(*sql.Stmt).Close())
		c.stmts.Delete(k)
		return true
	})
	errs = append(errs, c.db.Close())
	return errors.Join(errs...)
}

// runner runs statements on a pool or inside a transaction, through the
// pool's prepared statements when there are any.
type runner struct {
	c  *stmtCache
	tx *sql.Tx // nil outside a transaction
	// misses collects, inside a transaction, query texts that were not yet
	// prepared; they are prepared once the transaction has let go of its
	// connection (SQLite's writer pool has only one).
	misses *[]string
	// detach keeps callers' cancellation away from statements inside a group
	// commit: SQLite answers an interrupted write by rolling back the whole
	// transaction, which would take every other caller's work with it.
	detach bool
}

// stmtCtx is the context a statement runs under.
func (r runner) stmtCtx(ctx context.Context) context.Context {
	if r.detach {
		return context.WithoutCancel(ctx)
	}
	return ctx
}

// prepared returns the statement to run query with, or nil to run the text.
func (r runner) prepared(ctx context.Context, query string) *sql.Stmt {
	if r.tx == nil {
		return r.c.stmt(ctx, query)
	}
	st := r.c.lookup(query)
	if st == nil {
		if r.c.prepare {
			*r.misses = append(*r.misses, query)
		}
		return nil
	}
	return r.tx.StmtContext(ctx, st)
}

func (r runner) exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	ctx = r.stmtCtx(ctx)
	if st := r.prepared(ctx, query); st != nil {
		return st.ExecContext(ctx, args...)
	}
	if r.tx != nil {
		return r.tx.ExecContext(ctx, query, args...)
	}
	return r.c.db.ExecContext(ctx, query, args...)
}

// affected runs exec and returns the number of rows it changed.
func (r runner) affected(ctx context.Context, query string, args ...any) (int64, error) {
	res, err := r.exec(ctx, query, args...)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

func (r runner) query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	ctx = r.stmtCtx(ctx)
	if st := r.prepared(ctx, query); st != nil {
		return st.QueryContext(ctx, args...)
	}
	if r.tx != nil {
		return r.tx.QueryContext(ctx, query, args...)
	}
	return r.c.db.QueryContext(ctx, query, args...)
}

func (r runner) queryRow(ctx context.Context, query string, args ...any) *sql.Row {
	ctx = r.stmtCtx(ctx)
	if st := r.prepared(ctx, query); st != nil {
		return st.QueryRowContext(ctx, args...)
	}
	if r.tx != nil {
		return r.tx.QueryRowContext(ctx, query, args...)
	}
	return r.c.db.QueryRowContext(ctx, query, args...)
}

// reader runs reads on the read pool.
func (s *Store) reader() runner { return runner{c: s.read} }

// inTx runs fn in a write transaction and commits when it returns nil. A
// transaction that failed with a ClassRetry error (PostgreSQL deadlock or
// serialization failure, SQLite busy) is run again from the start, so fn must
// only touch state it rebuilds on each call.
func (s *Store) inTx(ctx context.Context, op string, fn func(r runner) error) error {
	if s.group != nil {
		return s.group.do(ctx, fn)
	}
	for attempt := 1; ; attempt++ {
		err := s.tryTx(ctx, fn)
		if err == nil {
			return nil
		}
		if attempt < maxRetries && s.dialect.Classify(err) == ClassRetry && ctx.Err() == nil {
			s.logger.DebugContext(ctx, "retrying transaction", "op", op, "attempt", attempt, "err", err)
			continue
		}
		return err
	}
}

func (s *Store) tryTx(ctx context.Context, fn func(r runner) error) (err error) {
	tx, err := s.write.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	var misses []string
	defer func() {
		for _, q := range misses {
			s.write.stmt(ctx, q)
		}
	}()
	if err := fn(runner{c: s.write, tx: tx, misses: &misses}); err != nil {
		_ = tx.Rollback() // the fn error is the one worth reporting
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// wrapf labels an internal error with the operation, keeping apperr errors
// (already classified) and context errors recognisable through %w.
func wrapf(err error, op string) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("sqlstore: %s: %w", op, err)
}

// placeholders returns "$from, $from+1, ..." for n parameters.
func placeholders(from, n int) string {
	b := make([]byte, 0, n*4)
	for i := range n {
		if i > 0 {
			b = append(b, ", "...)
		}
		b = fmt.Appendf(b, "$%d", from+i)
	}
	return string(b)
}

// valuesRows returns "($1, $2), ($3, $4)" for rows rows of cols columns.
func valuesRows(rows, cols int) string { return valuesRowsFrom(1, rows, cols) }

// valuesRowsFrom is valuesRows with placeholders numbered from first.
func valuesRowsFrom(first, rows, cols int) string {
	b := make([]byte, 0, rows*cols*5)
	for r := range rows {
		if r > 0 {
			b = append(b, ", "...)
		}
		b = append(b, '(')
		b = append(b, placeholders(first+r*cols, cols)...)
		b = append(b, ')')
	}
	return string(b)
}
