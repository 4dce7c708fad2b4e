package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/peakshop/peakshop/internal/domain/event"
	"github.com/peakshop/peakshop/internal/platform/msgtrace"
)

// The transactional outbox: events are rows written by the same transaction
// as the change they describe, so a change never commits without its event
// and an event never leaves for a change that rolled back. The relay
// (messaging/outbox) publishes them and marks them sent by deleting them (a
// row less to index and vacuum; JetStream keeps the event); a publish
// repeated after a crash carries the same event id, which JetStream
// deduplicates.

// OutboxRow is an event waiting in (or sent from) the outbox.
type OutboxRow struct {
	Seq   int64
	Event event.Event
	// Trace is the W3C trace context and baggage of the request that
	// recorded the event (msgtrace's stored form), "" when it had none:
	// the relay's publish continues that request's trace.
	Trace string
}

// insertEvents appends events to the outbox inside a transaction. There is
// no unique index on event_id (it would cost the checkout a write): order
// events have derived ids and every consumer deduplicates on them, so the
// same fact recorded twice is still handled once.
func insertEvents(ctx context.Context, r runner, events ...event.Event) error {
	if len(events) == 0 {
		return nil
	}
	args := outboxArgs(ctx, events)
	if _, err := r.exec(ctx, sqlInsertOutbox+valuesRows(len(events), outboxCols), args...); err != nil {
		return fmt.Errorf("insert outbox: %w", err)
	}
	return nil
}

// sqlInsertOutbox takes outboxCols values per event (outboxArgs).
const (
	outboxColumns   = `event_id, type, event_key, data, created_at, trace_context`
	sqlInsertOutbox = `INSERT INTO outbox (` + outboxColumns + `) VALUES `
	outboxCols      = 6
)

// outboxArgs are the values of events' outbox rows. The envelope is stored
// as columns and only Data as JSON: encoding the whole envelope would
// re-validate Data, a cost on every checkout. The request's trace context
// goes with its events (one capture for all of them), so the publish,
// seconds later, joins the same trace.
func outboxArgs(ctx context.Context, events []event.Event) []any {
	trace := nullString(msgtrace.Capture(ctx))
	args := make([]any, 0, len(events)*outboxCols)
	for _, e := range events {
		args = append(args, e.ID, string(e.Type), e.Key, string(e.Data), micros(e.OccurredAt), trace)
	}
	return args
}

// AppendEvents writes events to the outbox in a transaction of their own,
// for facts recorded outside the checkout (catalog changes, tests).
func (s *Store) AppendEvents(ctx context.Context, events ...event.Event) error {
	return wrapf(s.inTx(ctx, "append events", func(r runner) error { return insertEvents(ctx, r, events...) }), "append events")
}

// UnsentEvents returns up to limit events not yet sent, oldest first. Rows
// committed out of seq order (PostgreSQL) are simply found next time.
func (s *Store) UnsentEvents(ctx context.Context, limit int) ([]OutboxRow, error) {
	rows, err := s.reader().query(ctx, `SELECT seq, event_id, type, event_key, data, created_at, trace_context FROM outbox ORDER BY seq LIMIT $1`, limit)
	if err != nil {
		return nil, wrapf(err, "unsent events")
	}
	defer rows.Close()
	var out []OutboxRow
	for rows.Next() {
		var (
			row       OutboxRow
			typ, data string
			at        int64
			trace     sql.NullString
		)
		if err := rows.Scan(&row.Seq, &row.Event.ID, &typ, &row.Event.Key, &data, &at, &trace); err != nil {
			return nil, wrapf(err, "unsent events")
		}
		row.Event.Type, row.Event.OccurredAt, row.Trace = event.Type(typ), fromMicros(at), trace.String
		if data != "" {
			row.Event.Data = json.RawMessage(data)
		}
		out = append(out, row)
	}
	return out, wrapf(rows.Err(), "unsent events")
}

// MarkSent records that the events with these seqs were published, by
// deleting them. The seqs are written inline (integers read from the table),
// so any batch size needs no placeholder per row.
func (s *Store) MarkSent(ctx context.Context, seqs []int64) error {
	if len(seqs) == 0 {
		return nil
	}
	var b strings.Builder
	for i, q := range seqs {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(strconv.FormatInt(q, 10))
	}
	err := s.inTx(ctx, "mark sent", func(r runner) error {
		_, err := r.tx.ExecContext(r.stmtCtx(ctx), `DELETE FROM outbox WHERE seq IN (`+b.String()+`)`)
		return err
	})
	return wrapf(err, "mark events sent")
}

// OutboxBacklog counts events not yet sent, for metrics and tests.
func (s *Store) OutboxBacklog(ctx context.Context) (int, error) {
	var n int
	err := s.reader().queryRow(ctx, `SELECT COUNT(*) FROM outbox`).Scan(&n)
	return n, wrapf(err, "outbox backlog")
}
