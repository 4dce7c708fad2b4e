-- Promotions and coupons. Times are unix microseconds (INTEGER); ends_at 0
-- means the promotion never ends. Amounts are minor units.

-- +goose Up
CREATE TABLE promotions (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    name       TEXT NOT NULL,
    kind       TEXT NOT NULL CHECK (kind IN ('percent', 'fixed')),
    value      INTEGER NOT NULL CHECK (value > 0),
    scope      TEXT NOT NULL CHECK (scope IN ('product', 'category', 'cart')),
    target_id  INTEGER NOT NULL DEFAULT 0,
    starts_at  INTEGER NOT NULL,
    ends_at    INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL
) STRICT;
CREATE INDEX promotions_ends ON promotions (ends_at);

-- used is the redemption count. The cap is the conditional UPDATE
-- "SET used = used + 1 WHERE used < max_uses" in the checkout's transaction,
-- which the CHECK backs up: the count can never pass the cap.
CREATE TABLE coupons (
    code             TEXT PRIMARY KEY,
    kind             TEXT NOT NULL CHECK (kind IN ('percent', 'fixed')),
    value            INTEGER NOT NULL CHECK (value > 0),
    scope            TEXT NOT NULL CHECK (scope IN ('product', 'category', 'cart')),
    target_id        INTEGER NOT NULL DEFAULT 0,
    starts_at        INTEGER NOT NULL,
    ends_at          INTEGER NOT NULL DEFAULT 0,
    max_uses         INTEGER NOT NULL CHECK (max_uses > 0),
    max_per_customer INTEGER NOT NULL CHECK (max_per_customer > 0),
    used             INTEGER NOT NULL DEFAULT 0 CHECK (used >= 0 AND used <= max_uses),
    created_at       INTEGER NOT NULL
) STRICT;

-- One row per redemption held by an order. seq numbers a customer's
-- redemptions of a code from 1; UNIQUE with the CHECK against the coupon's
-- max_per_customer (done in SQL at insert) means two concurrent checkouts
-- of one customer cannot both take the last slot. A released redemption
-- (declined payment) is deleted.
CREATE TABLE coupon_redemptions (
    code         TEXT NOT NULL,
    customer_key TEXT NOT NULL,
    seq          INTEGER NOT NULL CHECK (seq > 0),
    order_id     TEXT NOT NULL UNIQUE,
    created_at   INTEGER NOT NULL,
    PRIMARY KEY (code, customer_key, seq)
) STRICT;

ALTER TABLE orders ADD COLUMN discount_amount INTEGER NOT NULL DEFAULT 0;
ALTER TABLE orders ADD COLUMN coupon_code TEXT;
ALTER TABLE order_lines ADD COLUMN discount_amount INTEGER NOT NULL DEFAULT 0;

-- +goose Down
ALTER TABLE order_lines DROP COLUMN discount_amount;
ALTER TABLE orders DROP COLUMN coupon_code;
ALTER TABLE orders DROP COLUMN discount_amount;
DROP TABLE coupon_redemptions;
DROP TABLE coupons;
DROP TABLE promotions;
