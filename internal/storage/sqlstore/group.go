package sqlstore

import (
	"context"
	"errors"
	"fmt"
)

// maxGroup bounds how many transactions share one commit, which bounds the
// latency a caller adds for those queued behind it.
const maxGroup = 128

// errClosed answers transactions submitted after Close.
var errClosed = errors.New("sqlstore: store is closed")

// groupCommitter runs the write transactions of many callers as savepoints of
// one database transaction and commits them together (group commit). On
// SQLite a commit, not the statements, is most of a short transaction's cost:
// WAL frames written, shared-memory locks taken, a checkpoint now and then.
// Sharing it lets the single writer connection keep up with many buyers.
//
// Each caller's work is isolated by its savepoint: a failure rolls back to
// it and the others' work stands. Callers hear back only after the commit, so
// nobody reads success that is not durable in the WAL. It relies on an engine
// where a failed statement leaves the transaction usable, which is SQLite and
// not PostgreSQL (whose pool serves concurrent transactions anyway).
type groupCommitter struct {
	s    *Store
	reqs chan *groupReq
	quit chan struct{}
	done chan struct{}
}

type groupReq struct {
	ctx context.Context
	fn  func(r runner) error
	err chan error
}

func newGroupCommitter(s *Store) *groupCommitter {
	g := &groupCommitter{s: s, reqs: make(chan *groupReq), quit: make(chan struct{}), done: make(chan struct{})}
	go g.run()
	return g
}

// do runs fn in the next group and returns its outcome once the group has
// committed (or failed). The caller waits even if ctx ends meanwhile: by then
// fn may be committed, and an answer of "cancelled" would be a lie.
func (g *groupCommitter) do(ctx context.Context, fn func(r runner) error) error {
	req := &groupReq{ctx: ctx, fn: fn, err: make(chan error, 1)}
	select {
	case g.reqs <- req:
	case <-g.quit:
		return errClosed
	case <-ctx.Done():
		return ctx.Err()
	}
	return <-req.err
}

func (g *groupCommitter) close() {
	close(g.quit)
	<-g.done
}

func (g *groupCommitter) run() {
	defer close(g.done)
	batch := make([]*groupReq, 0, maxGroup)
	for {
		select {
		case req := <-g.reqs:
			batch = append(batch[:0], req)
		case <-g.quit:
			return
		}
	drain:
		for len(batch) < maxGroup {
			select {
			case req := <-g.reqs:
				batch = append(batch, req)
			default:
				break drain
			}
		}
		g.commit(batch)
		clear(batch)
	}
}

// commit runs one group. The transaction is not tied to any caller's context:
// one caller leaving must not roll back everybody else's work.
//
// It first runs the group optimistically: every caller's work straight in
// the shared transaction, with no savepoints, since a savepoint and its
// release are two more statements per caller on the one writer and nearly
// every checkout succeeds. If any caller fails, the whole transaction is
// rolled back and the group runs again carefully, each caller in its own
// savepoint, so the failure costs only its owner. Work may therefore run
// twice; it must set its results from scratch, as inTx's retries on
// PostgreSQL already require.
func (g *groupCommitter) commit(batch []*groupReq) {
	ctx := context.Background()
	errs := make([]error, len(batch))
	var misses []string
	defer func() {
		for i, req := range batch {
			req.err <- errs[i]
		}
		for _, q := range misses {
			g.s.write.stmt(ctx, q)
		}
	}()
	fail := func(err error) {
		for i := range errs {
			if errs[i] == nil {
				errs[i] = err
			}
		}
	}
	done, err := g.optimistic(ctx, batch, errs, &misses)
	if err != nil {
		fail(err)
	}
	if done {
		return
	}
	clear(errs)
	g.careful(ctx, batch, errs, &misses, fail)
}

// optimistic runs the group without savepoints. It reports done when the
// group committed (or failed as a whole); false means a caller failed and
// everything was rolled back for the careful pass.
func (g *groupCommitter) optimistic(ctx context.Context, batch []*groupReq, errs []error, misses *[]string) (done bool, err error) {
	tx, err := g.s.write.db.BeginTx(ctx, nil)
	if err != nil {
		return true, fmt.Errorf("begin: %w", err)
	}
	r := runner{c: g.s.write, tx: tx, misses: misses, detach: true}
	for i, req := range batch {
		if errs[i] = req.ctx.Err(); errs[i] != nil {
			continue
		}
		if err := req.fn(r); err != nil {
			_ = tx.Rollback()
			if len(batch) == 1 { // the rollback undid only the failed caller's work
				errs[i] = err
				return true, nil
			}
			return false, nil
		}
	}
	if err := tx.Commit(); err != nil {
		return true, fmt.Errorf("commit: %w", err)
	}
	return true, nil
}

// careful runs each caller in its own savepoint of one transaction.
func (g *groupCommitter) careful(ctx context.Context, batch []*groupReq, errs []error, misses *[]string, fail func(error)) {
	tx, err := g.s.write.db.BeginTx(ctx, nil)
	if err != nil {
		fail(fmt.Errorf("begin: %w", err))
		return
	}
	r := runner{c: g.s.write, tx: tx, misses: misses, detach: true}
	for i, req := range batch {
		if err := req.ctx.Err(); err != nil {
			errs[i] = err
			continue
		}
		if _, err := r.exec(ctx, "SAVEPOINT grp"); err != nil {
			_ = tx.Rollback()
			fail(fmt.Errorf("savepoint: %w", err))
			return
		}
		if errs[i] = req.fn(r); errs[i] != nil {
			if _, err := r.exec(ctx, "ROLLBACK TO SAVEPOINT grp"); err != nil {
				_ = tx.Rollback()
				fail(fmt.Errorf("rollback to savepoint: %w", err))
				return
			}
		}
		// Released on success too: open savepoints cost SQLite work on
		// every page a later caller changes.
		if _, err := r.exec(ctx, "RELEASE SAVEPOINT grp"); err != nil {
			_ = tx.Rollback()
			fail(fmt.Errorf("release savepoint: %w", err))
			return
		}
	}
	if err := tx.Commit(); err != nil {
		fail(fmt.Errorf("commit: %w", err))
	}
}
