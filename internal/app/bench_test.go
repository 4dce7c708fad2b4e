package app_test

import (
	"context"
	"fmt"
	"net/http"
	"sort"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/peakshop/peakshop/internal/platform/ids"
)

// BenchmarkCheckout measures whole checkouts over HTTP on loopback with 64
// concurrent buyers, each order one line of one of 200 SKUs (a sale spreads
// over many products). Carts are made through the store before the timer
// starts. Reports orders/s and latency percentiles; run with -benchtime=Nx.
//
//	go test -run '^$' -bench Checkout -benchtime 20000x ./internal/app/
func BenchmarkCheckout(b *testing.B) {
	for name, dsn := range engines(nil) {
		b.Run(name, func(b *testing.B) {
			s := startShop(b, dsn(b))
			ctx := context.Background()
			var skus []string
			for i := 0; i < 20; i++ {
				p := s.addProduct(fmt.Sprintf("bench-%d", i), 1999, 1e8, 1e8, 1e8, 1e8, 1e8, 1e8, 1e8, 1e8, 1e8, 1e8)
				for _, v := range p.Variants {
					skus = append(skus, v.SKU)
				}
			}
			carts := make([]string, b.N)
			now := time.Now()
			for i := range carts {
				carts[i] = ids.New("cart", now)
				if err := s.app.Store.CreateCart(ctx, carts[i], now); err != nil {
					b.Fatal(err)
				}
				if err := s.app.Store.SetQuantity(ctx, carts[i], skus[i%len(skus)], 1, now); err != nil {
					b.Fatal(err)
				}
			}
			const buyers = 64
			lat := make([]time.Duration, b.N)
			var next, failed atomic.Int64
			var wg sync.WaitGroup
			b.ResetTimer()
			start := time.Now()
			for w := 0; w < buyers; w++ {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for {
						i := int(next.Add(1) - 1)
						if i >= b.N {
							return
						}
						t0 := time.Now()
						r := s.do("POST", "/api/v1/checkout", checkoutBody(carts[i], "tok_visa"), "Idempotency-Key", fmt.Sprintf("bench-%s", carts[i]))
						lat[i] = time.Since(t0)
						if r.Status != http.StatusCreated {
							failed.Add(1)
						}
					}
				}()
			}
			wg.Wait()
			elapsed := time.Since(start)
			b.StopTimer()
			if failed.Load() > 0 {
				b.Fatalf("%d of %d checkouts failed", failed.Load(), b.N)
			}
			sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
			pct := func(p float64) float64 { return float64(lat[int(p*float64(len(lat)-1))].Microseconds()) / 1000 }
			b.ReportMetric(float64(b.N)/elapsed.Seconds(), "orders/s")
			b.ReportMetric(pct(0.50), "p50-ms")
			b.ReportMetric(pct(0.99), "p99-ms")
			b.ReportMetric(0, "ns/op")
		})
	}
}
