package sqlstore

import (
	"context"
	"database/sql"
	"time"
)

// SignInFailures returns the failures counted for subject in a window that
// started at or after since.
func (s *Store) SignInFailures(ctx context.Context, subject string, since time.Time) (int, error) {
	var n int
	err := s.reader().queryRow(ctx, `SELECT failures FROM sign_in_failures WHERE subject = $1 AND window_start >= $2`,
		subject, micros(since)).Scan(&n)
	if err == sql.ErrNoRows {
		return 0, nil
	}
	return n, wrapf(err, "sign-in failures")
}

// RecordSignInFailure counts a failure in one statement: a window that
// started before since is restarted at now with a count of one. Concurrent
// failures for one subject each count, as the row update is atomic.
func (s *Store) RecordSignInFailure(ctx context.Context, subject string, now, since time.Time) (int, error) {
	var n int
	err := runner{c: s.write}.queryRow(ctx, `INSERT INTO sign_in_failures (subject, failures, window_start) VALUES ($1, 1, $2)
		ON CONFLICT (subject) DO UPDATE SET
			failures = CASE WHEN sign_in_failures.window_start < $3 THEN 1 ELSE sign_in_failures.failures + 1 END,
			window_start = CASE WHEN sign_in_failures.window_start < $3 THEN excluded.window_start ELSE sign_in_failures.window_start END
		RETURNING failures`, subject, micros(now), micros(since)).Scan(&n)
	return n, wrapf(err, "record sign-in failure")
}

// ClearSignInFailures forgets a subject's failures, after a good sign-in.
func (s *Store) ClearSignInFailures(ctx context.Context, subject string) error {
	_, err := runner{c: s.write}.exec(ctx, `DELETE FROM sign_in_failures WHERE subject = $1`, subject)
	return wrapf(err, "clear sign-in failures")
}
