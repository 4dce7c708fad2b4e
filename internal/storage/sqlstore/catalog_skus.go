package sqlstore

import (
	"context"

	"github.com/peakshop/peakshop/internal/domain/apperr"
	"github.com/peakshop/peakshop/internal/domain/catalog"
)

// maxSKULookup bounds one ProductsBySKU call: a cart holds at most 50 lines.
const maxSKULookup = 100

// ProductsBySKU returns the published products that hold any of the SKUs,
// each with all its variants, in one query. Unknown SKUs and drafts' SKUs
// are left out. The storefront uses it to name a cart's lines.
func (s *Store) ProductsBySKU(ctx context.Context, skus []string) ([]catalog.Product, error) {
	return s.productsBySKU(ctx, skus, false)
}

// AnyProductsBySKU is ProductsBySKU with drafts, for the back office.
func (s *Store) AnyProductsBySKU(ctx context.Context, skus []string) ([]catalog.Product, error) {
	return s.productsBySKU(ctx, skus, true)
}

func (s *Store) productsBySKU(ctx context.Context, skus []string, drafts bool) ([]catalog.Product, error) {
	if len(skus) == 0 {
		return []catalog.Product{}, nil
	}
	if len(skus) > maxSKULookup {
		return nil, apperr.New(apperr.Invalid, "too many SKUs in one lookup")
	}
	args := make([]any, len(skus))
	for i, sku := range skus {
		args[i] = sku
	}
	cond := " AND p.published = TRUE"
	if drafts {
		cond = ""
	}
	rows, err := s.reader().query(ctx, `SELECT `+productCols+` FROM products p`+productJoin+
		` WHERE p.id IN (SELECT product_id FROM variants WHERE sku IN (`+placeholders(1, len(skus))+`))`+cond+`
		ORDER BY p.id, v.sort_order`, args...)
	if err != nil {
		return nil, wrapf(err, "products by sku")
	}
	ps, err := scanProducts(rows)
	return ps, wrapf(err, "products by sku")
}
