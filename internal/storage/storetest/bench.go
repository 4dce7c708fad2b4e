package storetest

import (
	"context"
	"fmt"
	"sort"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/peakshop/peakshop/internal/domain/apperr"
	"github.com/peakshop/peakshop/internal/domain/catalog"
	"github.com/peakshop/peakshop/internal/domain/order"
	"github.com/peakshop/peakshop/internal/platform/ids"
	"github.com/peakshop/peakshop/internal/storage/sqlstore"
)

// benchBuyers is the concurrency the checkout target is stated for.
const benchBuyers = 64

// BenchCheckout measures the store's side of a checkout (BeginCheckout then
// FinishCheckout as paid) with 64 concurrent buyers, each order a fresh cart
// of two SKUs out of a 2,000-product catalog, on a store from open. Carts are
// made before the timer starts. It reports orders/s, the p50/p99 latency of
// one checkout and the CPU time per order. Engine packages call it from their
// BenchmarkCheckout.
func BenchCheckout(b *testing.B, open func(testing.TB) *sqlstore.Store) {
	ctx := context.Background()
	s := open(b)
	skus := seedCatalog(b, s, 2000)
	carts := mustCarts(b, s, b.N, func(i int) []any {
		return []any{skus[(i*7)%len(skus)], 1, skus[(i*13+1)%len(skus)], 2}
	})
	var (
		next      atomic.Int64
		latencies = make([]time.Duration, b.N)
		wg        sync.WaitGroup
	)
	b.ReportAllocs()
	b.ResetTimer()
	cpu0 := cpuTime()
	start := time.Now()
	for range benchBuyers {
		wg.Go(func() {
			for {
				i := int(next.Add(1) - 1)
				if i >= b.N {
					return
				}
				t0 := time.Now()
				if err := checkout(ctx, s, carts[i], i); err != nil {
					b.Errorf("checkout %d: %v", i, err)
					return
				}
				latencies[i] = time.Since(t0)
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	cpu := cpuTime() - cpu0
	b.StopTimer()
	sort.Slice(latencies, func(i, j int) bool { return latencies[i] < latencies[j] })
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "orders/s")
	b.ReportMetric(float64(latencies[b.N/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(latencies[b.N*99/100].Microseconds())/1000, "p99-ms")
	// CPU per order is the figure to compare across runs on a shared
	// machine: orders/s drops when other processes take the cores, this
	// does not.
	b.ReportMetric(float64(cpu.Microseconds())/float64(b.N), "cpu-µs/order")
}

// cpuTime is the user plus system CPU time this process has used.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func checkout(ctx context.Context, s *sqlstore.Store, cartID string, i int) error {
	now := time.Now()
	orderID := ids.New("ord", now)
	begun, err := s.BeginCheckout(ctx, order.Begin{
		IdempotencyKey: fmt.Sprintf("bench-%d-%s", i, cartID), RequestHash: "h", OrderID: orderID, CartID: cartID,
		Email: "b@example.com", Currency: "USD", Now: now,
		Address:    order.Address{Name: "B", Line1: "1 St", City: "C", PostalCode: "1", Country: "US"},
		OutOfStock: func([]apperr.Shortage) ([]byte, error) { return []byte(`{}`), nil },
	})
	if err != nil {
		return err
	}
	if begun.Order == nil {
		return fmt.Errorf("no order: %+v", begun)
	}
	return s.FinishCheckout(ctx, order.Settlement{
		OrderID: orderID, Status: order.Paid, Now: time.Now(), Result: []byte(`{"outcome":"created"}`),
		Payment: &order.PaymentRecord{Provider: "simulator", ChargeID: "ch_" + orderID, Amount: begun.Order.Total, IdempotencyKey: orderID + ":charge"},
	})
}

// seedCatalog imports n products of two variants each with ample stock and
// returns their SKUs.
func seedCatalog(tb testing.TB, s *sqlstore.Store, n int) []string {
	tb.Helper()
	var (
		drafts []catalog.Draft
		skus   []string
		stock  = catalog.MaxStock
	)
	for i := range n {
		d := catalog.Draft{Slug: fmt.Sprintf("bench-%d", i), Name: fmt.Sprintf("Bench %d", i), Category: "bench"}
		for v := range 2 {
			sku := fmt.Sprintf("BN-%d-%d", i, v)
			skus = append(skus, sku)
			d.Variants = append(d.Variants, catalog.VariantDraft{SKU: sku, Name: "v", Price: usd(999), Available: &stock})
		}
		drafts = append(drafts, d)
	}
	mustNoErr(tb, s.ImportCatalog(context.Background(), []catalog.Category{{Slug: "bench", Name: "Bench"}}, drafts), "seed bench catalog")
	return skus
}

// BenchImportCatalog loads a demo-sized catalog (2,000 products, 5,000
// variants) into a fresh store from open per iteration, as `peakshop seed` does.
func BenchImportCatalog(b *testing.B, open func(testing.TB) *sqlstore.Store) {
	stock := 10
	var drafts []catalog.Draft
	for i := range 2000 {
		d := catalog.Draft{Slug: fmt.Sprintf("demo-%d", i), Name: fmt.Sprintf("Demo %d", i), Description: "A demo product.",
			Category: "demo", Images: []string{fmt.Sprintf("/img/demo-%d.png", i)}}
		for v := range 1 + i%4 {
			d.Variants = append(d.Variants, catalog.VariantDraft{SKU: fmt.Sprintf("D-%d-%d", i, v), Name: "v",
				Price: usd(1999), Available: &stock})
		}
		drafts = append(drafts, d)
	}
	for b.Loop() {
		b.StopTimer()
		s := open(b)
		b.StartTimer()
		mustNoErr(b, s.ImportCatalog(context.Background(), []catalog.Category{{Slug: "demo", Name: "Demo"}}, drafts), "import")
	}
}
