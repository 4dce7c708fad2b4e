package sqlstore

import (
	"context"
	"fmt"

	"github.com/peakshop/peakshop/internal/domain/apperr"
	"github.com/peakshop/peakshop/internal/domain/catalog"
)

// Batch sizes for ImportCatalog. Multi-row INSERTs keep a 2,000-product seed
// to about 150 statements, which matters on PostgreSQL where each is a round
// trip. They stay small because SQLite looks $n parameter names up by linear
// scan, when preparing and again when binding: a statement's cost grows with
// the square of its parameter count (500 rows of 7 took 3.7s per seed, 50
// rows take 0.2s).
const (
	importProductBatch = 50
	importVariantBatch = 50
)

// ImportCatalog upserts the categories (by slug) and inserts the products, all
// in one transaction: the demo seed either lands whole or not at all. Drafts
// are validated like CreateProduct's; a taken slug or SKU is apperr Conflict.
func (s *Store) ImportCatalog(ctx context.Context, cats []catalog.Category, products []catalog.Draft) error {
	type row struct {
		d      catalog.Draft
		images string
	}
	rows := make([]row, len(products))
	for i := range products {
		d := products[i]
		if err := d.Validate(s.currency); err != nil {
			return fmt.Errorf("sqlstore: import product %d (%q): %w", i, d.Slug, err)
		}
		images, err := encodeImages(d.Images)
		if err != nil {
			return err
		}
		rows[i] = row{d: d, images: images}
	}
	err := s.inTx(ctx, "import catalog", func(r runner) error {
		for _, c := range cats {
			if !catalog.ValidSlug(c.Slug) || c.Name == "" {
				return apperr.Errorf(apperr.Invalid, "category %q needs a valid slug and a name", c.Slug)
			}
			if _, err := r.exec(ctx, `INSERT INTO categories (slug, name) VALUES ($1, $2)
				ON CONFLICT (slug) DO UPDATE SET name = excluded.name`, c.Slug, c.Name); err != nil {
				return fmt.Errorf("upsert category: %w", err)
			}
		}
		catIDs, err := categoryIDs(ctx, r)
		if err != nil {
			return err
		}
		now := micros(s.now())
		productIDs := make(map[string]int64, len(rows))
		for start := 0; start < len(rows); start += importProductBatch {
			batch := rows[start:min(start+importProductBatch, len(rows))]
			args := make([]any, 0, len(batch)*7)
			for _, p := range batch {
				catID, ok := catIDs[p.d.Category]
				if !ok {
					return apperr.Errorf(apperr.Invalid, "product %q names unknown category %q", p.d.Slug, p.d.Category)
				}
				args = append(args, p.d.Slug, p.d.Name, p.d.Description, catID, p.images, now, now)
			}
			if err := insertReturningIDs(ctx, r, `INSERT INTO products (slug, name, description, category_id, images, created_at, updated_at)
				VALUES `+valuesRows(len(batch), 7)+` RETURNING id, slug`, args, productIDs); err != nil {
				return s.conflictOr(err, "slug", "is taken", "insert products")
			}
		}
		var args []any
		flush := func() error {
			if len(args) == 0 {
				return nil
			}
			_, err := r.exec(ctx, `INSERT INTO variants (sku, product_id, sort_order, name, price_amount, price_currency, available)
				VALUES `+valuesRows(len(args)/7, 7), args...)
			args = args[:0]
			if err != nil {
				return s.conflictOr(err, "sku", "is taken", "insert variants")
			}
			return nil
		}
		for _, p := range rows {
			for i, v := range p.d.Variants {
				avail := 0
				if v.Available != nil {
					avail = *v.Available
				}
				args = append(args, v.SKU, productIDs[p.d.Slug], i, v.Name, v.Price.Amount, v.Price.Currency, avail)
				if len(args) == importVariantBatch*7 {
					if err := flush(); err != nil {
						return err
					}
				}
			}
		}
		return flush()
	})
	return wrapf(err, "import catalog")
}

func categoryIDs(ctx context.Context, r runner) (map[string]int64, error) {
	rows, err := r.query(ctx, `SELECT slug, id FROM categories`)
	if err != nil {
		return nil, fmt.Errorf("category ids: %w", err)
	}
	defer rows.Close()
	out := map[string]int64{}
	for rows.Next() {
		var slug string
		var id int64
		if err := rows.Scan(&slug, &id); err != nil {
			return nil, fmt.Errorf("category ids: %w", err)
		}
		out[slug] = id
	}
	return out, rows.Err()
}

// insertReturningIDs runs an INSERT ... RETURNING id, slug and records the ids.
func insertReturningIDs(ctx context.Context, r runner, query string, args []any, into map[string]int64) error {
	rows, err := r.query(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var slug string
		if err := rows.Scan(&id, &slug); err != nil {
			return err
		}
		into[slug] = id
	}
	return rows.Err()
}
