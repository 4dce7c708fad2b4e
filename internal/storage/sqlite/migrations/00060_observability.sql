-- Observability (issue 5): the trace context an outbox event was recorded
-- with, so its publish continues the checkout's trace after the relay picks
-- it up, and the synthetic marker on carts and sessions, so conversion and
-- cart abandonment leave load rehearsals out.

-- +goose Up
-- trace_context is the W3C traceparent, tracestate and baggage of the
-- request that wrote the event, as a small JSON object; NULL when the
-- request carried none (telemetry off, an event recorded by a tool).
ALTER TABLE outbox ADD COLUMN trace_context TEXT;
-- synthetic is 1 for carts and sessions opened by load-rehearsal traffic
-- (W3C baggage synthetic=true).
ALTER TABLE carts ADD COLUMN synthetic INTEGER NOT NULL DEFAULT 0;
ALTER TABLE sessions ADD COLUMN synthetic INTEGER NOT NULL DEFAULT 0;
-- The funnel figures read carts and sessions by creation time, on scrape.
CREATE INDEX carts_created ON carts (created_at);
CREATE INDEX sessions_created ON sessions (created_at);

-- +goose Down
DROP INDEX sessions_created;
DROP INDEX carts_created;
ALTER TABLE sessions DROP COLUMN synthetic;
ALTER TABLE carts DROP COLUMN synthetic;
ALTER TABLE outbox DROP COLUMN trace_context;
