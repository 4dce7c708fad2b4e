-- Housekeeping deletes carts untouched for weeks that no account or live
-- session points at. These indexes keep each batch a range read on
-- updated_at plus two index probes per cart, instead of table scans.

-- +goose Up
CREATE INDEX carts_updated ON carts (updated_at);
CREATE INDEX customers_cart ON customers (cart_id) WHERE cart_id IS NOT NULL;
CREATE INDEX sessions_cart ON sessions (cart_id) WHERE cart_id IS NOT NULL;

-- +goose Down
DROP INDEX sessions_cart;
DROP INDEX customers_cart;
DROP INDEX carts_updated;
