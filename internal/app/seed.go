package app

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/peakshop/peakshop/internal/demo"
	"github.com/peakshop/peakshop/internal/storage/sqlstore"
)

// SeedDemo loads the demo catalog into an empty store. It returns how many
// products it loaded: 0 when the store already had products.
func SeedDemo(ctx context.Context, st *sqlstore.Store, currency string, logger *slog.Logger) (int, error) {
	n, err := st.ProductCount(ctx)
	if err != nil {
		return 0, fmt.Errorf("count products: %w", err)
	}
	if n > 0 {
		return 0, nil
	}
	start := time.Now()
	cats, products := demo.Catalog(currency)
	if err := st.ImportCatalog(ctx, cats, products); err != nil {
		return 0, fmt.Errorf("seed demo catalog: %w", err)
	}
	logger.Info("seeded demo catalog", "categories", len(cats), "products", len(products), "took", time.Since(start).Round(time.Millisecond))
	return len(products), nil
}
