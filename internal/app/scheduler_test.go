package app

import (
	"context"
	"io"
	"log/slog"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/peakshop/peakshop/internal/domain/catalog"
	"github.com/peakshop/peakshop/internal/domain/money"
	"github.com/peakshop/peakshop/internal/storage/storetest"
)

// Two schedulers (two instances' loops) racing for a change due in the
// past: it is applied once, and only the instance that applied it purges.
func TestSchedulersApplyOnce(t *testing.T) {
	for name, open := range storetest.Engines() {
		t.Run(name, func(t *testing.T) {
			st := open(t)
			ctx := context.Background()
			usd := func(a int64) money.Money { return money.Money{Amount: a, Currency: "USD"} }
			avail := 5
			if err := st.ImportCatalog(ctx, []catalog.Category{{Slug: "hats", Name: "Hats"}}, []catalog.Draft{{Slug: "cap", Name: "Cap", Category: "hats",
				Variants: []catalog.VariantDraft{{SKU: "CAP-1", Name: "One", Price: usd(1000), Available: &avail}}}}); err != nil {
				t.Fatal(err)
			}
			p, err := st.ProductBySlug(ctx, "cap")
			if err != nil {
				t.Fatal(err)
			}
			if _, err := st.ScheduleChange(ctx, catalog.ChangeDraft{Kind: catalog.ChangePrice, ProductID: p.ID, Price: usd(700),
				DueAt: time.Now().Add(time.Second)}); err != nil {
				t.Fatal(err)
			}
			var purges atomic.Int64
			later := func() time.Time { return time.Now().Add(time.Minute) }
			logger := slog.New(slog.NewTextHandler(io.Discard, nil))
			var applied atomic.Int64
			var wg sync.WaitGroup
			for range 2 {
				s := &scheduler{store: st, purge: func(...string) { purges.Add(1) }, now: later, logger: logger}
				wg.Go(func() {
					n, err := s.runOnce(ctx)
					if err != nil {
						t.Error(err)
					}
					applied.Add(int64(n))
				})
			}
			wg.Wait()
			if applied.Load() != 1 || purges.Load() != 1 {
				t.Fatalf("applied %d, purged %d; want 1, 1", applied.Load(), purges.Load())
			}
			if got, _ := st.ProductBySlug(ctx, "cap"); got.Price.Amount != 700 {
				t.Fatalf("price = %d, want 700", got.Price.Amount)
			}
		})
	}
}
