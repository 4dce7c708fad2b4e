package sqlstore

import (
	"context"
	"time"
)

// Housekeeping: rows that pile up with traffic and serve nobody once old.
// Each sweep deletes in batches of pruneBatch, each its own statement, so
// SQLite's single writer (and PostgreSQL's row locks) is held for
// milliseconds at a time and checkouts keep flowing during a sweep.
const pruneBatch = 1000

// PruneIdempotencyKeys deletes finished keys created before the time and
// returns how many went. Unfinished keys stay: their checkout is still
// running or awaits recovery.
func (s *Store) PruneIdempotencyKeys(ctx context.Context, before time.Time) (int, error) {
	return s.pruneInBatches(ctx, "prune idempotency keys", `DELETE FROM idempotency_keys WHERE idem_key IN (
		SELECT idem_key FROM idempotency_keys WHERE done = TRUE AND created_at < $1 LIMIT $2)`, micros(before))
}

// DeleteExpiredSessions removes sessions that expired before now.
func (s *Store) DeleteExpiredSessions(ctx context.Context, now time.Time) (int, error) {
	return s.pruneInBatches(ctx, "delete expired sessions", `DELETE FROM sessions WHERE id IN (
		SELECT id FROM sessions WHERE expires_at <= $1 LIMIT $2)`, micros(now))
}

// PruneProcessedEvents deletes processed-event records older than the
// time. Safe once no copy of the event can be delivered again: the caller
// keeps them longer than the event stream keeps its messages.
func (s *Store) PruneProcessedEvents(ctx context.Context, before time.Time) (int, error) {
	return s.pruneInBatches(ctx, "prune processed events", `DELETE FROM processed_events WHERE (consumer, event_id) IN (
		SELECT consumer, event_id FROM processed_events WHERE processed_at < $1 LIMIT $2)`, micros(before))
}

// PruneCarts deletes carts last changed before the time that neither an
// account nor a session points at, with their items (cart_items cascade).
// An order keeps its own lines, so an old checked-out cart serves no one;
// an abandoned one has been abandoned for as long as the caller waited.
func (s *Store) PruneCarts(ctx context.Context, before time.Time) (int, error) {
	return s.pruneInBatches(ctx, "prune carts", `DELETE FROM carts WHERE id IN (
		SELECT c.id FROM carts c WHERE c.updated_at < $1
			AND NOT EXISTS (SELECT 1 FROM customers u WHERE u.cart_id = c.id)
			AND NOT EXISTS (SELECT 1 FROM sessions x WHERE x.cart_id = c.id)
		LIMIT $2)`, micros(before))
}

// pruneInBatches runs query (whose $2 is the batch size) until a batch
// deletes fewer rows than it may, and returns the total.
func (s *Store) pruneInBatches(ctx context.Context, what, query string, cutoff int64) (int, error) {
	total := 0
	for {
		n, err := runner{c: s.write}.affected(ctx, query, cutoff, pruneBatch)
		if err != nil {
			return total, wrapf(err, what)
		}
		total += int(n)
		if n < pruneBatch {
			return total, nil
		}
		if err := ctx.Err(); err != nil {
			return total, err
		}
	}
}
