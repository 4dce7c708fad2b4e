-- Housekeeping deletes processed-event records older than the event
-- stream's retention in small batches; the index keeps each batch a range
-- read instead of a scan of the whole table.

-- +goose Up
CREATE INDEX processed_events_at ON processed_events (processed_at);

-- +goose Down
DROP INDEX processed_events_at;
