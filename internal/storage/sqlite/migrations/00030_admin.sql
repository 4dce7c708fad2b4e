-- Admin console: a role on customer accounts and the second factor (TOTP)
-- administrators must pass. Times are unix microseconds (INTEGER).
--
-- There is no published flag on products: making every public catalog read
-- skip unpublished products is a change to shared reads, left for later.

-- +goose Up
-- role is 'customer' or 'admin'. totp_secret is the base32 RFC 6238 secret
-- (NULL until enrolled); totp_last_step is the last 30-second step whose
-- code was accepted, so a code is good once: a conditional UPDATE moves it
-- forward and a replay finds nothing to update, on every instance.
ALTER TABLE customers ADD COLUMN role TEXT NOT NULL DEFAULT 'customer';
ALTER TABLE customers ADD COLUMN totp_secret TEXT;
ALTER TABLE customers ADD COLUMN totp_last_step INTEGER NOT NULL DEFAULT 0;
-- second_factor_at marks a session that passed TOTP (NULL: password only).
ALTER TABLE sessions ADD COLUMN second_factor_at INTEGER;

-- +goose Down
ALTER TABLE sessions DROP COLUMN second_factor_at;
ALTER TABLE customers DROP COLUMN totp_last_step;
ALTER TABLE customers DROP COLUMN totp_secret;
ALTER TABLE customers DROP COLUMN role;
