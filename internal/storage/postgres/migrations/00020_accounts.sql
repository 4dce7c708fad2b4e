-- Customer accounts for the storefront: customers, server-side sessions and
-- the sign-in failure counters that throttle password guessing. Times are
-- unix microseconds (BIGINT), as everywhere.

-- +goose Up
-- email is stored lower-cased and trimmed, so UNIQUE is case-insensitive.
-- cart_id is the account's cart, shared by every device signed in to it.
CREATE TABLE customers (
    id            TEXT PRIMARY KEY,
    email         TEXT NOT NULL UNIQUE,
    name          TEXT NOT NULL DEFAULT '',
    password_hash TEXT NOT NULL,
    cart_id       TEXT,
    created_at    BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL
);

-- id is the SHA-256 (hex) of the cookie's token: a leaked table opens no
-- session. Guests have no customer_id; their cart_id is the session's own.
CREATE TABLE sessions (
    id          TEXT PRIMARY KEY,
    customer_id TEXT REFERENCES customers (id) ON DELETE CASCADE,
    cart_id     TEXT,
    created_at  BIGINT NOT NULL,
    expires_at  BIGINT NOT NULL
);
CREATE INDEX sessions_expires ON sessions (expires_at);
CREATE INDEX sessions_customer ON sessions (customer_id) WHERE customer_id IS NOT NULL;

-- One row per throttled subject ("email:..." or "ip:..."): failures counted
-- in a fixed window that restarts once it has passed. In the database, not in
-- memory, so every instance behind the edge enforces one shared limit.
CREATE TABLE sign_in_failures (
    subject      TEXT PRIMARY KEY,
    failures     INTEGER NOT NULL,
    window_start BIGINT NOT NULL
);

-- +goose Down
DROP TABLE sign_in_failures;
DROP TABLE sessions;
DROP TABLE customers;
