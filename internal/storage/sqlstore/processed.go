package sqlstore

import (
	"context"
	"fmt"
	"sort"
	"time"
)

// Event subscribers are idempotent through processed_events: one row per
// (consumer, event) handled. A subscriber whose effect is in this database
// (analytics counters, loyalty points) writes that row in the same
// transaction as the effect, so a redelivered event changes nothing. One
// whose effect is outside (an e-mail, a cache purge) checks Processed before
// acting and calls MarkProcessed after.

// claim inserts the processed-event row and reports whether it is new.
func claim(ctx context.Context, r runner, consumer, eventID string, at time.Time) (bool, error) {
	n, err := r.affected(ctx, `INSERT INTO processed_events (consumer, event_id, processed_at) VALUES ($1, $2, $3)
		ON CONFLICT (consumer, event_id) DO NOTHING`, consumer, eventID, micros(at))
	if err != nil {
		return false, fmt.Errorf("record processed event: %w", err)
	}
	return n == 1, nil
}

// Processed reports whether consumer has already handled the event.
func (s *Store) Processed(ctx context.Context, consumer, eventID string) (bool, error) {
	var n int
	err := s.reader().queryRow(ctx, `SELECT COUNT(*) FROM processed_events WHERE consumer = $1 AND event_id = $2`,
		consumer, eventID).Scan(&n)
	return n > 0, wrapf(err, "processed")
}

// MarkProcessed records that consumer handled the event; false means it
// had been recorded before.
func (s *Store) MarkProcessed(ctx context.Context, consumer, eventID string, at time.Time) (bool, error) {
	var fresh bool
	err := s.inTx(ctx, "mark processed", func(r runner) (err error) {
		fresh, err = claim(ctx, r, consumer, eventID, at)
		return err
	})
	return fresh, wrapf(err, "mark processed")
}

// AddCounters adds deltas to analytics counters, once per (consumer,
// event); false means the event had been counted before.
func (s *Store) AddCounters(ctx context.Context, consumer, eventID string, at time.Time, deltas map[string]int64) (bool, error) {
	names := make([]string, 0, len(deltas))
	for n := range deltas {
		names = append(names, n)
	}
	sort.Strings(names) // one lock order on PostgreSQL, so no deadlocks
	var fresh bool
	err := s.inTx(ctx, "add counters", func(r runner) (err error) {
		if fresh, err = claim(ctx, r, consumer, eventID, at); err != nil || !fresh {
			return err
		}
		for _, n := range names {
			if _, err := r.exec(ctx, `INSERT INTO analytics_counters (name, value) VALUES ($1, $2)
				ON CONFLICT (name) DO UPDATE SET value = analytics_counters.value + excluded.value`, n, deltas[n]); err != nil {
				return fmt.Errorf("counter %s: %w", n, err)
			}
		}
		return nil
	})
	return fresh, wrapf(err, "add counters")
}

// Counters returns every analytics counter.
func (s *Store) Counters(ctx context.Context) (map[string]int64, error) {
	rows, err := s.reader().query(ctx, `SELECT name, value FROM analytics_counters`)
	if err != nil {
		return nil, wrapf(err, "counters")
	}
	defer rows.Close()
	out := map[string]int64{}
	for rows.Next() {
		var (
			n string
			v int64
		)
		if err := rows.Scan(&n, &v); err != nil {
			return nil, wrapf(err, "counters")
		}
		out[n] = v
	}
	return out, wrapf(rows.Err(), "counters")
}

// AddPoints credits a customer's loyalty points, once per (consumer,
// event); false means the event had been credited before.
func (s *Store) AddPoints(ctx context.Context, consumer, eventID string, at time.Time, customerID string, points int64) (bool, error) {
	var fresh bool
	err := s.inTx(ctx, "add points", func(r runner) (err error) {
		if fresh, err = claim(ctx, r, consumer, eventID, at); err != nil || !fresh {
			return err
		}
		_, err = r.exec(ctx, `INSERT INTO loyalty_points (customer_id, points) VALUES ($1, $2)
			ON CONFLICT (customer_id) DO UPDATE SET points = loyalty_points.points + excluded.points`, customerID, points)
		return err
	})
	return fresh, wrapf(err, "add points")
}

// Points returns a customer's loyalty points (0 for none).
func (s *Store) Points(ctx context.Context, customerID string) (int64, error) {
	var p int64
	err := s.reader().queryRow(ctx, `SELECT COALESCE(SUM(points), 0) FROM loyalty_points WHERE customer_id = $1`, customerID).Scan(&p)
	return p, wrapf(err, "points")
}
