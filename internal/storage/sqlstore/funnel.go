package sqlstore

import (
	"context"
	"time"
)

// Funnel is the shop's conversion funnel over a recent window, without
// synthetic (load rehearsal) carts and sessions: the business figures
// behind conversion from session to order and cart abandonment.
type Funnel struct {
	// Sessions opened in the window, those whose cart holds something, and
	// those whose cart became an order.
	Sessions, SessionsWithCart, SessionsOrdered int64
	// Carts created in the window that hold something: checked out, open
	// and untouched for longer than the abandonment age, or still active.
	CartsOrdered, CartsAbandoned, CartsActive int64
}

// Funnel counts carts and sessions created since now-window; an open cart
// untouched for abandonAfter counts as abandoned. A cart leads to an order
// when a checkout takes it (status checked_out; a declined payment reopens
// it). Admin sessions (second factor passed) are not shoppers'. It reads
// from the reader pool, by creation time (indexed), once per scrape.
func (s *Store) Funnel(ctx context.Context, now time.Time, window, abandonAfter time.Duration) (Funnel, error) {
	var f Funnel
	since, idle := micros(now.Add(-window)), micros(now.Add(-abandonAfter))
	err := s.reader().queryRow(ctx, `SELECT
			COUNT(*) FILTER (WHERE c.status = 'checked_out'),
			COUNT(*) FILTER (WHERE c.status = 'open' AND c.updated_at < $2),
			COUNT(*) FILTER (WHERE c.status = 'open' AND c.updated_at >= $2)
		FROM carts c
		WHERE c.created_at >= $1 AND c.synthetic = FALSE
			AND EXISTS (SELECT 1 FROM cart_items i WHERE i.cart_id = c.id)`, since, idle).
		Scan(&f.CartsOrdered, &f.CartsAbandoned, &f.CartsActive)
	if err != nil {
		return Funnel{}, wrapf(err, "funnel carts")
	}
	err = s.reader().queryRow(ctx, `SELECT
			COUNT(*),
			COUNT(*) FILTER (WHERE EXISTS (SELECT 1 FROM cart_items i WHERE i.cart_id = s.cart_id)),
			COUNT(*) FILTER (WHERE EXISTS (SELECT 1 FROM carts c WHERE c.id = s.cart_id AND c.status = 'checked_out'))
		FROM sessions s
		WHERE s.created_at >= $1 AND s.synthetic = FALSE AND s.second_factor_at IS NULL`, since).
		Scan(&f.Sessions, &f.SessionsWithCart, &f.SessionsOrdered)
	if err != nil {
		return Funnel{}, wrapf(err, "funnel sessions")
	}
	return f, nil
}
