-- Payment provider notifications (Stripe webhooks) recorded on orders.
-- The key (provider, event_id) is both the processed-event record that
-- makes a redelivered webhook write nothing and the order's timeline entry,
-- in one row. processed_events (per subscriber) has no order to show the
-- event on, hence a table of its own. Times are unix microseconds.

-- +goose Up
CREATE TABLE payment_events (
    provider    TEXT NOT NULL,
    event_id    TEXT NOT NULL,
    order_id    TEXT NOT NULL REFERENCES orders (id),
    type        TEXT NOT NULL,
    payment_id  TEXT NOT NULL,
    received_at BIGINT NOT NULL,
    PRIMARY KEY (provider, event_id)
);

CREATE INDEX payment_events_order ON payment_events (order_id);

-- +goose Down
DROP TABLE payment_events;
