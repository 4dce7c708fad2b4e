-- Drafts and the sale scheduler. A draft product (published = 0) is left
-- out of every shopper's read. Existing products stay published.
-- Times are unix microseconds (INTEGER); 0 means "none".

-- +goose Up
ALTER TABLE products ADD COLUMN published INTEGER NOT NULL DEFAULT 1 CHECK (published IN (0, 1));

-- One row per scheduled catalog change. The scheduler claims a due row with
-- the conditional "UPDATE ... SET status = 'applied' WHERE status =
-- 'pending'" in the transaction that applies it: one instance applies each
-- change, once. prices holds, for a revert, the prices to restore as
-- {"SKU": amount}. product_id has no foreign key: a deleted product's
-- changes stay in the history and fail when due.
CREATE TABLE scheduled_changes (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    kind         TEXT NOT NULL CHECK (kind IN ('price', 'launch', 'revert')),
    product_id   INTEGER NOT NULL,
    sku          TEXT NOT NULL DEFAULT '',
    price_amount INTEGER NOT NULL DEFAULT 0,
    revert_at    INTEGER NOT NULL DEFAULT 0,
    prices       TEXT NOT NULL DEFAULT '{}',
    parent_id    INTEGER NOT NULL DEFAULT 0,
    due_at       INTEGER NOT NULL,
    status       TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'applied', 'cancelled', 'failed')),
    outcome      TEXT NOT NULL DEFAULT '',
    created_by   TEXT NOT NULL DEFAULT '',
    created_at   INTEGER NOT NULL,
    settled_at   INTEGER NOT NULL DEFAULT 0
) STRICT;
CREATE INDEX scheduled_changes_due ON scheduled_changes (due_at, id) WHERE status = 'pending';
CREATE INDEX scheduled_changes_settled ON scheduled_changes (status, settled_at);

-- +goose Down
DROP TABLE scheduled_changes;
ALTER TABLE products DROP COLUMN published;
