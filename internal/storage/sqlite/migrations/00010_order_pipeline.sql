-- The order pipeline: the transactional outbox that carries domain events
-- from the checkout's transaction to JetStream, the card tokens of orders
-- whose payment is queued, shipments, refunds, and the records that make
-- event subscribers idempotent. Times are unix microseconds (INTEGER).

-- +goose Up
-- seq orders the relay's reads. Rows are deleted once published, so the
-- table stays small and needs no index beyond its key: every index here is
-- one more write on the checkout's hot path. event_id is the JetStream
-- message id, so a row published twice (a relay killed before deleting it)
-- is stored once downstream.
CREATE TABLE outbox (
    seq        INTEGER PRIMARY KEY,
    event_id   TEXT NOT NULL,
    type       TEXT NOT NULL,
    event_key  TEXT NOT NULL,
    data       TEXT NOT NULL,
    created_at INTEGER NOT NULL
) STRICT;

-- A queued checkout's card token waits here for the workflow that charges
-- it, and is deleted when the order is settled.
CREATE TABLE order_payment_tokens (
    order_id TEXT PRIMARY KEY,
    token    TEXT NOT NULL
) STRICT, WITHOUT ROWID;

CREATE TABLE shipments (
    order_id     TEXT PRIMARY KEY REFERENCES orders (id),
    warehouse    TEXT NOT NULL,
    tracking     TEXT NOT NULL DEFAULT '',
    allocated_at INTEGER NOT NULL,
    shipped_at   INTEGER,
    notified_at  INTEGER
) STRICT;

CREATE TABLE refunds (
    order_id        TEXT PRIMARY KEY REFERENCES orders (id),
    idempotency_key TEXT NOT NULL UNIQUE,
    amount          INTEGER NOT NULL,
    currency        TEXT NOT NULL,
    created_at      INTEGER NOT NULL
) STRICT;

-- One row per (subscriber, event) handled: written in the same transaction
-- as the subscriber's effect, so a redelivered event has no second effect.
CREATE TABLE processed_events (
    consumer     TEXT NOT NULL,
    event_id     TEXT NOT NULL,
    processed_at INTEGER NOT NULL,
    PRIMARY KEY (consumer, event_id)
) STRICT, WITHOUT ROWID;

CREATE TABLE analytics_counters (
    name  TEXT PRIMARY KEY,
    value INTEGER NOT NULL
) STRICT, WITHOUT ROWID;

CREATE TABLE loyalty_points (
    customer_id TEXT PRIMARY KEY,
    points      INTEGER NOT NULL
) STRICT, WITHOUT ROWID;

-- +goose Down
DROP TABLE loyalty_points;
DROP TABLE analytics_counters;
DROP TABLE processed_events;
DROP TABLE refunds;
DROP TABLE shipments;
DROP TABLE order_payment_tokens;
DROP TABLE outbox;
