-- The commerce core: catalog, carts, orders, payments, idempotency keys and
-- settings. Times are unix microseconds (INTEGER). Table names stay clear of
-- DBOS's unprefixed tables (workflow_status, operation_outputs, queues, ...).

-- +goose Up
CREATE TABLE categories (
    id   INTEGER PRIMARY KEY AUTOINCREMENT,
    slug TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL
) STRICT;

-- AUTOINCREMENT so that a deleted product's id is never handed out again:
-- list cursors are ids.
CREATE TABLE products (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    slug        TEXT NOT NULL UNIQUE,
    name        TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    category_id INTEGER NOT NULL REFERENCES categories (id),
    images      TEXT NOT NULL DEFAULT '[]',
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
) STRICT;
CREATE INDEX products_category ON products (category_id, id);

CREATE TABLE variants (
    sku            TEXT PRIMARY KEY,
    product_id     INTEGER NOT NULL REFERENCES products (id) ON DELETE CASCADE,
    sort_order     INTEGER NOT NULL,
    name           TEXT NOT NULL,
    price_amount   INTEGER NOT NULL,
    price_currency TEXT NOT NULL,
    available      INTEGER NOT NULL CHECK (available >= 0)
) STRICT;
CREATE INDEX variants_product ON variants (product_id, sort_order);

CREATE TABLE carts (
    id         TEXT PRIMARY KEY,
    status     TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
) STRICT;

CREATE TABLE cart_items (
    cart_id  TEXT NOT NULL REFERENCES carts (id) ON DELETE CASCADE,
    sku      TEXT NOT NULL REFERENCES variants (sku) ON DELETE CASCADE,
    quantity INTEGER NOT NULL CHECK (quantity > 0),
    added_at INTEGER NOT NULL,
    PRIMARY KEY (cart_id, sku)
) STRICT, WITHOUT ROWID;
CREATE INDEX cart_items_sku ON cart_items (sku);

-- customer_id is filled by the accounts issue; guests leave it NULL.
CREATE TABLE orders (
    id           TEXT PRIMARY KEY,
    status       TEXT NOT NULL,
    email        TEXT NOT NULL,
    address      TEXT NOT NULL,
    cart_id      TEXT NOT NULL,
    customer_id  TEXT,
    total_amount INTEGER NOT NULL,
    currency     TEXT NOT NULL,
    reason       TEXT NOT NULL DEFAULT '',
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL
) STRICT;
CREATE INDEX orders_status ON orders (status, created_at);
CREATE INDEX orders_customer ON orders (customer_id, id) WHERE customer_id IS NOT NULL;

-- No foreign key to variants: an order keeps its lines when a product goes.
CREATE TABLE order_lines (
    order_id    TEXT NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    sku         TEXT NOT NULL,
    name        TEXT NOT NULL,
    quantity    INTEGER NOT NULL CHECK (quantity > 0),
    unit_amount INTEGER NOT NULL,
    currency    TEXT NOT NULL,
    PRIMARY KEY (order_id, sku)
) STRICT, WITHOUT ROWID;

-- One payment per order and per gateway idempotency key, enforced here so no
-- code path can ever record a second charge.
CREATE TABLE payments (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    order_id        TEXT NOT NULL UNIQUE REFERENCES orders (id),
    provider        TEXT NOT NULL,
    charge_id       TEXT NOT NULL,
    amount          INTEGER NOT NULL,
    currency        TEXT NOT NULL,
    idempotency_key TEXT NOT NULL UNIQUE,
    created_at      INTEGER NOT NULL
) STRICT;

-- order_id has no foreign key: the key is claimed before its order exists,
-- and a key that ended out of stock names no order.
CREATE TABLE idempotency_keys (
    idem_key     TEXT PRIMARY KEY,
    request_hash TEXT NOT NULL,
    order_id     TEXT,
    done         INTEGER NOT NULL DEFAULT 0,
    result       BLOB,
    created_at   INTEGER NOT NULL
) STRICT;
CREATE INDEX idempotency_keys_order ON idempotency_keys (order_id);
CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at) WHERE done = 1;

CREATE TABLE settings (
    name  TEXT PRIMARY KEY,
    value TEXT NOT NULL
) STRICT;

-- +goose Down
DROP TABLE settings;
DROP TABLE idempotency_keys;
DROP TABLE payments;
DROP TABLE order_lines;
DROP TABLE orders;
DROP TABLE cart_items;
DROP TABLE carts;
DROP TABLE variants;
DROP TABLE products;
DROP TABLE categories;
