package shed

import (
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// A slow payment provider: every checkout takes 300 ms (three times the
// target latency) and many are in flight, while pages and carts answer at
// once. Nothing of browse or cart may be shed, and their limit must hold.
func TestSlowCheckoutShedsNoBrowseOrCart(t *testing.T) {
	s := mustShedder(t, Config{InitialLimit: 40, MinLimit: 10, MaxLimit: 400, TargetLatency: 100 * time.Millisecond})
	h := s.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s.Classify(r) == Checkout {
			time.Sleep(300 * time.Millisecond) // the provider
		}
	}))
	stop := make(chan struct{})
	var wg sync.WaitGroup
	var checkouts, pages, peak atomic.Int64
	for range 30 {
		wg.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("POST", "/api/v1/checkout", nil))
				checkouts.Add(1)
			}
		})
	}
	for i := range 4 {
		wg.Go(func() {
			for n := 0; ; n++ {
				select {
				case <-stop:
					return
				default:
				}
				path := "/products/1"
				if (n+i)%2 == 0 {
					path = "/api/v1/cart/items"
				}
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, httptest.NewRequest("GET", path, nil))
				if rec.Code != http.StatusOK {
					t.Errorf("%s: %d with %d checkouts in flight", path, rec.Code, s.checkoutInflight.Load())
					return
				}
				peak.Store(max(peak.Load(), s.checkoutInflight.Load()))
				pages.Add(1)
				time.Sleep(time.Millisecond)
			}
		})
	}
	time.Sleep(2 * time.Second)
	close(stop)
	wg.Wait()
	shed := s.Shed()
	t.Logf("%d checkouts, %d pages and carts; peak %d checkouts in flight; shed %v; limits shop %d, checkout %d",
		checkouts.Load(), pages.Load(), peak.Load(), shed, s.Limit(), s.CheckoutLimit())
	if shed["browse"] != 0 || shed["cart"] != 0 {
		t.Errorf("slow checkouts shed browse or cart: %v", shed)
	}
	if s.Limit() < 40 {
		t.Errorf("checkout latency shrank the shop's limit to %d", s.Limit())
	}
	if peak.Load() <= int64(0.6*40) {
		t.Errorf("only %d checkouts in flight at most: the test did not load the edge past browse's share", peak.Load())
	}
}

func TestCheckoutLatencyMovesOnlyCheckoutsLimit(t *testing.T) {
	s := mustShedder(t, Config{InitialLimit: 100, MinLimit: 10, MaxLimit: 200, TargetLatency: 100 * time.Millisecond})
	now := time.Unix(0, 0)
	s.now = func() time.Time { return now }
	for range 50 {
		now = now.Add(time.Second)
		s.observe(Checkout, 300*time.Millisecond, 100) // slow provider, under checkout's 400 ms
	}
	if s.Limit() != 100 || s.CheckoutLimit() <= 100 {
		t.Errorf("after busy 300 ms checkouts: shop %d (want 100), checkout %d (want grown)", s.Limit(), s.CheckoutLimit())
	}
	for range 50 {
		now = now.Add(time.Second)
		s.observe(Checkout, 5*time.Second, 100) // provider timing out
	}
	if s.Limit() != 100 || s.CheckoutLimit() != 100 {
		t.Errorf("after 5 s checkouts: shop %d, checkout %d; want 100 both (checkout never below the shop)", s.Limit(), s.CheckoutLimit())
	}
}

// Real overload: every class is slow. The shop's limit shrinks and the
// shedding order is browse, then cart, then checkout.
func TestOverloadShedsBrowseThenCartThenCheckout(t *testing.T) {
	s := mustShedder(t, Config{InitialLimit: 100, MinLimit: 10, MaxLimit: 100, TargetLatency: 100 * time.Millisecond})
	now := time.Unix(0, 0)
	s.now = func() time.Time { return now }
	for range 10 {
		now = now.Add(time.Second)
		for _, p := range []Priority{Browse, Cart, Checkout} {
			s.observe(p, 3*time.Second, 100)
		}
	}
	limit := s.Limit()
	if limit >= 50 || s.CheckoutLimit() != limit {
		t.Fatalf("after slow everything: shop limit %d, checkout %d; want both shrunk alike", limit, s.CheckoutLimit())
	}
	try := holding(t, s)
	// fill sends requests of one class, each held once admitted, until one
	// is refused, and returns everything in flight by then.
	inflight := 0
	fill := func(path string) int {
		for range 300 {
			if code := try(path); code != http.StatusOK {
				if code != http.StatusServiceUnavailable {
					t.Fatalf("%s: %d", path, code)
				}
				return inflight
			}
			inflight++
		}
		t.Fatalf("%s never shed", path)
		return 0
	}
	browse := fill("/products/1")
	cart := fill("/cart")
	if got := fill("/products/2"); got != cart {
		t.Errorf("browse admitted again after cart filled")
	}
	checkout := fill("/api/v1/checkout")
	if !(browse < cart && cart < checkout) || checkout != limit {
		t.Errorf("shed at %d in flight for browse, %d for cart, %d for checkout (limit %d)", browse, cart, checkout, limit)
	}
	if got := s.Shed(); got["browse"] != 2 || got["cart"] != 1 || got["checkout"] != 1 {
		t.Errorf("shed counts %v", got)
	}
}
