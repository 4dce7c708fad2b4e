package sqlstore

import (
	"context"
	"database/sql"
	"errors"

	"github.com/peakshop/peakshop/internal/domain/apperr"
	"github.com/peakshop/peakshop/internal/domain/catalog"
)

// AdjustAvailable adds delta (negative to take away) to a SKU's stock in one
// conditional UPDATE, so an adjustment racing checkouts never loses either
// change and never takes stock below zero. Its product.changed event is
// written in the same transaction.
func (s *Store) AdjustAvailable(ctx context.Context, sku string, delta int) (catalog.Variant, error) {
	var v catalog.Variant
	err := s.inTx(ctx, "adjust available", func(r runner) error {
		var productID int64
		err := r.queryRow(ctx, `UPDATE variants SET available = available + $2
			WHERE sku = $1 AND available + $2 >= 0 AND available + $2 <= $3
			RETURNING sku, name, price_amount, price_currency, available, product_id`, sku, delta, catalog.MaxStock).
			Scan(&v.SKU, &v.Name, &v.Price.Amount, &v.Price.Currency, &v.Available, &productID)
		if err != nil {
			return err
		}
		return s.productChanged(ctx, r, productID, "stock")
	})
	if !errors.Is(err, sql.ErrNoRows) {
		return v, wrapf(err, "adjust available")
	}
	if _, err := s.StockOf(ctx, sku); err != nil {
		return v, err
	}
	return v, apperr.InvalidFields([]apperr.FieldError{{Field: "delta", Reason: "would take stock below 0 or above 1000000000"}})
}

// LowStock lists variants with at most threshold in stock, emptiest first,
// each as its product holding just that variant.
func (s *Store) LowStock(ctx context.Context, threshold, limit int) ([]catalog.Product, error) {
	rows, err := s.reader().query(ctx, `SELECT p.id, p.slug, p.name, v.sku, v.name, v.price_amount, v.price_currency, v.available
		FROM variants v JOIN products p ON p.id = v.product_id
		WHERE v.available <= $1 ORDER BY v.available, v.sku LIMIT $2`, threshold, limit)
	if err != nil {
		return nil, wrapf(err, "low stock")
	}
	defer rows.Close()
	var out []catalog.Product
	for rows.Next() {
		var (
			p catalog.Product
			v catalog.Variant
		)
		if err := rows.Scan(&p.ID, &p.Slug, &p.Name, &v.SKU, &v.Name, &v.Price.Amount, &v.Price.Currency, &v.Available); err != nil {
			return nil, wrapf(err, "low stock")
		}
		p.Variants, p.Price = []catalog.Variant{v}, v.Price
		out = append(out, p)
	}
	return out, wrapf(rows.Err(), "low stock")
}
