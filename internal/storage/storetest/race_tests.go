package storetest

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/peakshop/peakshop/internal/domain/apperr"
	"github.com/peakshop/peakshop/internal/domain/catalog"
	"github.com/peakshop/peakshop/internal/domain/order"
	"github.com/peakshop/peakshop/internal/storage/sqlstore"
)

// testFlashSale: 1,000 buyers, each with a cart of one unit, race for 100
// units. Exactly 100 get an order, the rest a clean shortage, and the stock
// never goes below zero (a watcher checks while they race).
func testFlashSale(t *testing.T, s *sqlstore.Store) {
	const buyers, stock = 1000, 100
	ctx := context.Background()
	mustNoErr(t, s.ImportCatalog(ctx, []catalog.Category{{Slug: "drops", Name: "Drops"}},
		[]catalog.Draft{{Slug: "hyped-sneaker", Name: "Hyped", Category: "drops",
			Variants: []catalog.VariantDraft{{SKU: "HYPE-1", Name: "One", Price: usd(19999), Available: intp(stock)}}}}), "import")
	carts := mustCarts(t, s, buyers, func(int) []any { return []any{"HYPE-1", 1} })
	var (
		orders, short, other atomic.Int64
		wg                   sync.WaitGroup
		start                = make(chan struct{})
		stop                 = make(chan struct{})
	)
	watcher := make(chan error, 1)
	go func() { watcher <- watchStock(ctx, s, "HYPE-1", stop) }()
	for i := range buyers {
		wg.Go(func() {
			<-start
			begun, err := s.BeginCheckout(ctx, begin(carts[i], fmt.Sprintf("flash-%d", i)))
			switch {
			case err != nil:
				other.Add(1)
				t.Errorf("buyer %d: %v", i, err)
			case begun.Order != nil:
				orders.Add(1)
			case len(begun.Shortages) == 1 && begun.Shortages[0].Available == 0:
				short.Add(1)
			default:
				other.Add(1)
				t.Errorf("buyer %d: unexpected %+v", i, begun)
			}
		})
	}
	close(start)
	wg.Wait()
	close(stop)
	if err := <-watcher; err != nil {
		t.Error(err)
	}
	if orders.Load() != stock || short.Load() != buyers-stock || other.Load() != 0 {
		t.Errorf("orders %d, shortages %d, other %d; want %d, %d, 0", orders.Load(), short.Load(), other.Load(), stock, buyers-stock)
	}
	wantStock(t, s, map[string]int{"HYPE-1": 0})
	if n, _ := s.OrderCount(ctx, ""); n != stock {
		t.Errorf("%d orders stored, want %d", n, stock)
	}
}

// watchStock polls a SKU's stock until stop closes, failing on a negative.
func watchStock(ctx context.Context, s *sqlstore.Store, sku string, stop <-chan struct{}) error {
	for {
		select {
		case <-stop:
			return nil
		default:
		}
		n, err := s.StockOf(ctx, sku)
		if err != nil {
			return fmt.Errorf("watch stock: %w", err)
		}
		if n < 0 {
			return fmt.Errorf("stock of %s went to %d", sku, n)
		}
		time.Sleep(time.Millisecond)
	}
}

// testSameKeyRace: 20 concurrent retries of one checkout make one order; the
// other 19 see the key's record.
func testSameKeyRace(t *testing.T, s *sqlstore.Store) {
	const retries = 20
	ctx := context.Background()
	mustSeed(t, s)
	cartID := mustCart(t, s, "WB-1", 2)
	var (
		orders, existing atomic.Int64
		wg               sync.WaitGroup
		start            = make(chan struct{})
		orderID          atomic.Value
	)
	for range retries {
		wg.Go(func() {
			<-start
			begun, err := s.BeginCheckout(ctx, begin(cartID, "the-one-key"))
			switch {
			case err != nil:
				t.Errorf("begin: %v", err)
			case begun.Order != nil:
				orders.Add(1)
				orderID.Store(begun.Order.ID)
			case begun.Existing != nil:
				existing.Add(1)
			default:
				t.Errorf("unexpected %+v", begun)
			}
		})
	}
	close(start)
	wg.Wait()
	if orders.Load() != 1 || existing.Load() != retries-1 {
		t.Fatalf("orders %d, existing %d; want 1, %d", orders.Load(), existing.Load(), retries-1)
	}
	wantStock(t, s, map[string]int{"WB-1": 98})
	rec, err := s.IdempotencyRecord(ctx, "the-one-key")
	mustNoErr(t, err, "record")
	if rec.OrderID != orderID.Load().(string) {
		t.Errorf("record names order %s, want %s", rec.OrderID, orderID.Load())
	}
	if n, _ := s.OrderCount(ctx, ""); n != 1 {
		t.Errorf("%d orders stored, want 1", n)
	}
}

// testMixedCheckouts runs checkouts of overlapping multi-SKU carts, settled
// at random as paid or declined, all at once. On PostgreSQL this is where lock
// order matters: it must end without deadlock errors, and the stock must add
// up to exactly what the paid orders took.
func testMixedCheckouts(t *testing.T, s *sqlstore.Store) {
	const buyers, skus, startStock = 200, 5, 1000
	ctx := context.Background()
	d := catalog.Draft{Slug: "mix", Name: "Mix", Category: "mix"}
	for i := range skus {
		d.Variants = append(d.Variants, catalog.VariantDraft{SKU: fmt.Sprintf("MIX-%d", i), Name: "v", Price: usd(100), Available: intp(startStock)})
	}
	mustNoErr(t, s.ImportCatalog(ctx, []catalog.Category{{Slug: "mix", Name: "Mix"}}, []catalog.Draft{d}), "import")
	// Lines added in different orders, so only the store's sorting keeps the
	// lock order consistent.
	carts := mustCarts(t, s, buyers, func(int) []any {
		var lines []any
		for _, k := range rand.Perm(skus)[:3] {
			lines = append(lines, fmt.Sprintf("MIX-%d", k), 1+k)
		}
		return lines
	})
	var (
		taken [skus]atomic.Int64
		wg    sync.WaitGroup
	)
	for i := range buyers {
		wg.Go(func() {
			begun, err := s.BeginCheckout(ctx, begin(carts[i], fmt.Sprintf("mix-%d", i)))
			if err != nil || begun.Order == nil {
				t.Errorf("buyer %d: %+v %v", i, begun, err)
				return
			}
			o := begun.Order
			if i%2 == 0 {
				if err := s.FinishCheckout(ctx, paid(o.ID, `{}`)); err != nil {
					t.Errorf("pay %s: %v", o.ID, err) // not Fatal: this is not the test goroutine
					return
				}
				for _, l := range o.Lines {
					var k int
					if _, err := fmt.Sscanf(l.SKU, "MIX-%d", &k); err != nil {
						t.Errorf("line SKU %q: %v", l.SKU, err)
					}
					taken[k].Add(int64(l.Quantity))
				}
				return
			}
			st := order.Settlement{OrderID: o.ID, Status: order.PaymentDeclined, Now: time.Now(), Result: []byte(`{}`)}
			if err := s.FinishCheckout(ctx, st); err != nil {
				t.Errorf("decline %s: %v", o.ID, err)
			}
		})
	}
	wg.Wait()
	for k := range skus {
		wantStock(t, s, map[string]int{fmt.Sprintf("MIX-%d", k): startStock - int(taken[k].Load())})
	}
}

// testConcurrentFailuresIsolated interleaves writes that fail half-way with
// writes that succeed. Engines that commit concurrent transactions together
// (SQLite's group commit) must undo exactly the failed ones.
func testConcurrentFailuresIsolated(t *testing.T, s *sqlstore.Store) {
	const writers = 200
	ctx := context.Background()
	mustSeed(t, s)
	carts := mustCarts(t, s, writers, func(int) []any { return nil })
	var wg sync.WaitGroup
	for i := range writers {
		wg.Go(func() {
			var err error
			switch i % 3 {
			case 0: // succeeds
				err = s.SetQuantity(ctx, carts[i], "WB-1", 1+i%5, time.Now())
			case 1: // touches the cart, then fails on the SKU
				if err = s.SetQuantity(ctx, carts[i], "NO-SUCH-SKU", 1, time.Now()); apperr.Is(err, apperr.NotFound) {
					err = nil
				}
			case 2: // fails after writing a product row
				_, err = s.CreateProduct(ctx, newDraft("dup-"+itoa(i), "hats", "WB-1"))
				if apperr.Is(err, apperr.Conflict) {
					err = nil
				}
			}
			if err != nil {
				t.Errorf("writer %d: %v", i, err)
			}
		})
	}
	wg.Wait()
	for i, id := range carts {
		c, err := s.Cart(ctx, id)
		mustNoErr(t, err, "cart")
		want := 0
		if i%3 == 0 {
			want = 1
		}
		if len(c.Items) != want {
			t.Errorf("cart %d has %d lines, want %d", i, len(c.Items), want)
		}
	}
	if n, _ := s.ProductCount(ctx); n != len(fixtureDrafts()) {
		t.Errorf("%d products after failed creates, want %d", n, len(fixtureDrafts()))
	}
}
