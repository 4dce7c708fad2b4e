package app_test

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"sort"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/peakshop/peakshop/internal/app"
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
		b.Run(name, func(b *testing.B) { benchCheckout(b, startShop(b, dsn(b)), http.StatusCreated) })
	}
}

// BenchmarkQueuedCheckout compares checkout acceptance in the two modes in
// one run, with BenchmarkCheckout's buyers and carts: sync (charge during
// checkout, 201) and queued (reserve stock and write the order and its
// outbox row, 202; the charge is the workflow's). The pipeline is off in
// both, as when workers run on their own machines (`peakshop worker`): this
// measures what the shop answers, not what the workers fulfil (see
// BenchmarkFulfilledOrders in internal/fulfillment). PEAKSHOP_BENCH_PAYMENT_LATENCY
// (a duration, default 0) gives the simulated provider a round trip, which
// sync checkouts wait for and queued ones do not.
//
//	go test -run '^$' -bench QueuedCheckout -benchtime 20000x ./internal/app/
func BenchmarkQueuedCheckout(b *testing.B) {
	var latency time.Duration
	if v := os.Getenv("PEAKSHOP_BENCH_PAYMENT_LATENCY"); v != "" {
		var err error
		if latency, err = time.ParseDuration(v); err != nil {
			b.Fatalf("PEAKSHOP_BENCH_PAYMENT_LATENCY: %v", err)
		}
	}
	for name, dsn := range engines(nil) {
		for _, mode := range []struct {
			name   string
			queued bool
			status int
		}{{"sync", false, http.StatusCreated}, {"queued", true, http.StatusAccepted}} {
			b.Run(name+"/"+mode.name, func(b *testing.B) {
				s := startShop(b, dsn(b), func(c *app.Config) {
					c.Pipeline.Queued = mode.queued
					c.PaymentLatency = latency
				})
				benchCheckout(b, s, mode.status)
			})
		}
	}
}

// benchCheckout runs b.N checkouts with 64 buyers, each answered want.
func benchCheckout(b *testing.B, s *shop, want int) {
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
				if r.Status != want {
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
}
