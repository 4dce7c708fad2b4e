package sqlstore

import (
	"context"
	"database/sql"
	"errors"

	"github.com/peakshop/peakshop/internal/domain/apperr"
	"github.com/peakshop/peakshop/internal/domain/order"
)

// RecordPaymentEvent adds a provider notification to its order's timeline,
// once per (provider, event id): two deliveries racing each other insert
// one row, the other's ON CONFLICT does nothing. See order.Store.
func (s *Store) RecordPaymentEvent(ctx context.Context, e order.PaymentEvent) (bool, error) {
	var fresh bool
	err := s.inTx(ctx, "record payment event", func(r runner) error {
		var one int
		if err := r.queryRow(ctx, `SELECT 1 FROM orders WHERE id = $1`, e.OrderID).Scan(&one); errors.Is(err, sql.ErrNoRows) {
			return apperr.New(apperr.NotFound, "order not found")
		} else if err != nil {
			return err
		}
		n, err := r.affected(ctx, `INSERT INTO payment_events (provider, event_id, order_id, type, payment_id, received_at)
			VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (provider, event_id) DO NOTHING`,
			e.Provider, e.EventID, e.OrderID, e.Type, e.PaymentID, micros(e.At))
		fresh = n == 1
		return err
	})
	return fresh, wrapf(err, "record payment event")
}

// paymentEventSteps lists an order's recorded notifications as timeline
// steps, detail "<provider> <type> <event id>".
func (s *Store) paymentEventSteps(ctx context.Context, id string) ([]order.Step, error) {
	rows, err := s.reader().query(ctx, `SELECT provider, type, event_id, received_at FROM payment_events WHERE order_id = $1`, id)
	if err != nil {
		return nil, wrapf(err, "payment events")
	}
	defer rows.Close()
	var steps []order.Step
	for rows.Next() {
		var (
			provider, typ, eventID string
			at                     int64
		)
		if err := rows.Scan(&provider, &typ, &eventID, &at); err != nil {
			return nil, wrapf(err, "payment events")
		}
		steps = append(steps, order.Step{Name: "payment_event", At: fromMicros(at), Detail: provider + " " + typ + " " + eventID})
	}
	return steps, wrapf(rows.Err(), "payment events")
}
