package sqlstore

import (
	"context"

	"github.com/peakshop/peakshop/internal/domain/order"
	"github.com/peakshop/peakshop/internal/platform/msgtrace"
)

// sqlSettlePaid is the synchronous checkout's paid settlement as one
// statement, for engines with writable CTEs: the conditional order update,
// the payment row, the order.paid event and the key's answer. Every write
// after the first hangs off its RETURNING, so an order that is no longer
// pending changes nothing; a second payment for the order breaks
// UNIQUE(order_id) and fails the whole statement. Parameters are cast
// because INSERT ... SELECT does not type them from the target columns.
const sqlSettlePaid = `WITH o AS (
		UPDATE orders SET status = $2, reason = '', updated_at = $3
		WHERE id = $1 AND status IN ('pending_payment', 'payment_queued') RETURNING id),
	p AS (
		INSERT INTO payments (order_id, provider, charge_id, amount, currency, idempotency_key, created_at)
		SELECT id, $4::text, $5::text, $6::bigint, $7::text, $8::text, $3::bigint FROM o),
	e AS (
		INSERT INTO outbox (` + outboxColumns + `)
		SELECT $9::text, $10::text, $11::text, $12::text, $13::bigint, $14::text FROM o),
	k AS (
		UPDATE idempotency_keys SET done = TRUE, result = $15::bytea
		WHERE order_id = $1 AND EXISTS (SELECT 1 FROM o))
	SELECT count(*) FROM o`

// settlePaidInOneStatement is FinishCheckout's paid path in one round trip
// (see sqlSettlePaid). The event is built from the order the caller holds,
// since the statement cannot hand the update's RETURNING back to Go first.
func (s *Store) settlePaidInOneStatement(ctx context.Context, st order.Settlement) error {
	o, p := st.Order, st.Payment
	e, _, err := settledEvent(st, settled{total: o.Total, customer: nullString(o.CustomerID)})
	if err != nil {
		return wrapf(err, "finish checkout")
	}
	now := micros(st.Now)
	var n int
	for attempt := 1; ; attempt++ {
		err = runner{c: s.write}.queryRow(ctx, sqlSettlePaid, st.OrderID, string(order.Paid), now,
			p.Provider, p.ChargeID, p.Amount.Amount, p.Amount.Currency, p.IdempotencyKey,
			e.ID, string(e.Type), e.Key, string(e.Data), micros(e.OccurredAt), nullString(msgtrace.Capture(ctx)),
			st.Result).Scan(&n)
		if err == nil || attempt == maxRetries || s.dialect.Classify(err) != ClassRetry || ctx.Err() != nil {
			break
		}
	}
	if err != nil {
		return s.conflictOr(err, "payment", "is already recorded", "finish checkout")
	}
	if n == 0 {
		return wrapf(settleStateError(ctx, runner{c: s.write}, st.OrderID), "finish checkout")
	}
	return nil
}
