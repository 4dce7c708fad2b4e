package storetest

import (
	"fmt"
	"testing"

	"github.com/peakshop/peakshop/internal/domain/catalog"
	"github.com/peakshop/peakshop/internal/storage/sqlstore"
)

// SeedStock imports n products of one variant each with the given stock at
// 9.99 and returns their SKUs, for the order pipeline's tests.
func SeedStock(tb testing.TB, s *sqlstore.Store, n, stock int) []string {
	tb.Helper()
	var (
		drafts []catalog.Draft
		skus   []string
	)
	for i := range n {
		sku := fmt.Sprintf("PL-%d", i)
		st := stock
		skus = append(skus, sku)
		drafts = append(drafts, catalog.Draft{Slug: fmt.Sprintf("pipeline-%d", i), Name: fmt.Sprintf("Pipeline %d", i), Category: "pipeline",
			Variants: []catalog.VariantDraft{{SKU: sku, Name: "v", Price: usd(999), Available: &st}}})
	}
	mustNoErr(tb, s.ImportCatalog(tb.Context(), []catalog.Category{{Slug: "pipeline", Name: "Pipeline"}}, drafts), "seed pipeline catalog")
	return skus
}

// Carts creates n open carts; lines(i) gives cart i's lines as sku, quantity
// pairs.
func Carts(tb testing.TB, s *sqlstore.Store, n int, lines func(i int) []any) []string {
	tb.Helper()
	return mustCarts(tb, s, n, lines)
}

// Stock returns a SKU's available stock.
func Stock(tb testing.TB, s *sqlstore.Store, sku string) int {
	tb.Helper()
	return mustStock(tb, s, sku)
}
