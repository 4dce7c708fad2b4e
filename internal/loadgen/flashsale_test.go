package loadgen

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func TestSessionAddr(t *testing.T) {
	shoppers := netip.MustParsePrefix("198.18.0.0/15")
	bots := map[string]bool{"203.0.113.1": true, "203.0.113.2": true, "203.0.113.3": true, "203.0.113.4": true}
	seen := map[string]bool{}
	for seq := uint64(1); seq <= 1<<17; seq++ {
		a := netip.MustParseAddr(sessionAddr(seq, false))
		if !shoppers.Contains(a) || seen[a.String()] {
			t.Fatalf("session %d: %s (outside %s or repeated)", seq, a, shoppers)
		}
		seen[a.String()] = true
		if b := sessionAddr(seq, true); !bots[b] {
			t.Fatalf("bot %d: %s", seq, b)
		}
	}
}

func TestWithSaleAddsTheSaleToTheSchedule(t *testing.T) {
	sale := &FlashSale{At: Duration(10 * time.Second), Hold: Duration(5 * time.Second), Rate: 30}
	p := withSale{base: Constant{PerSec: 10}, sale: sale}
	for _, tc := range []struct {
		at   time.Duration
		want float64
	}{{0, 10}, {9 * time.Second, 10}, {10 * time.Second, 40}, {14 * time.Second, 40}, {15 * time.Second, 10}} {
		if got := p.Rate(tc.at); got != tc.want {
			t.Errorf("rate at %v = %v, want %v", tc.at, got, tc.want)
		}
	}
	// 10 + 30/s for 5 s of 20: 200 + 150 arrivals.
	a := NewArrivals(p, 20*time.Second)
	n := 0
	for _, ok := a.Next(); ok; _, ok = a.Next() {
		n++
	}
	if n != 350 {
		t.Errorf("%d arrivals, want 350", n)
	}
}

func TestFlashSaleValidation(t *testing.T) {
	for _, bad := range []string{
		`{"at": "1s", "hold": "0s", "rate": 5}`,
		`{"at": "1s", "hold": "5s", "rate": 0}`,
		`{"at": "1s", "hold": "5s", "rate": 5, "steps": ["teleport"]}`,
	} {
		sc := fmt.Sprintf(`{"name":"x","profile":{"kind":"constant","rate":1},"journeys":[{"name":"j","weight":1,"steps":["home"]}],"flash_sale":%s}`, bad)
		if _, err := ParseScenario(strings.NewReader(sc)); err == nil || !strings.Contains(err.Error(), "flash_sale") {
			t.Errorf("%s: err = %v", bad, err)
		}
	}
}

// fakeShop answers just enough of the shop's API for journeys, and keeps
// what it was sent.
type fakeShop struct {
	mu       sync.Mutex
	forwards map[string][]string // path kind -> X-Forwarded-For values
	hotViews map[string]int      // product slug -> views during the run
	orders   atomic.Int64
}

func (f *fakeShop) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	kind := r.URL.Path
	switch {
	case r.URL.Path == "/api/v1/categories":
		fmt.Fprint(w, `{"items":[{"slug":"sale"}]}`)
		return
	case r.URL.Path == "/api/v1/products" && r.URL.Query().Get("q") == "":
		var items []string
		for i := range 10 {
			items = append(items, fmt.Sprintf(`{"slug":"p%d","variants":[{"sku":"S%d","available":5}]}`, i, i))
		}
		fmt.Fprintf(w, `{"items":[%s]}`, strings.Join(items, ","))
		return
	case r.Method == http.MethodPost && r.URL.Path == "/api/v1/carts":
		fmt.Fprint(w, `{"id":"cart"}`)
	case r.Method == http.MethodPost && r.URL.Path == "/api/v1/checkout":
		n := f.orders.Add(1)
		w.WriteHeader(http.StatusCreated)
		fmt.Fprintf(w, `{"order_id":"ord-%d","status":"paid"}`, n)
	case strings.HasPrefix(r.URL.Path, "/products/"):
		kind = "/products/"
		f.mu.Lock()
		f.hotViews[strings.TrimPrefix(r.URL.Path, "/products/")]++
		f.mu.Unlock()
	}
	f.mu.Lock()
	f.forwards[kind] = append(f.forwards[kind], r.Header.Get("X-Forwarded-For"))
	f.mu.Unlock()
}

// A run with a flash sale and per-session addresses: the sale's shoppers
// view only the named hot products, every request carries its session's
// address, and OnOrder hears of each accepted order once.
func TestFlashSaleForwardedForAndOnOrder(t *testing.T) {
	shop := &fakeShop{forwards: map[string][]string{}, hotViews: map[string]int{}}
	srv := httptest.NewServer(shop)
	defer srv.Close()
	sc, err := ParseScenario(strings.NewReader(`{
	  "name": "sale", "profile": {"kind": "constant", "rate": 20}, "duration": "2s", "graceful_stop": "20s",
	  "think_time": {"min": "0s", "max": "0s"},
	  "journeys": [{"name": "buyer", "weight": 1, "steps": ["home", "add_to_cart", "checkout"]}],
	  "hostile": {"share": 0.2, "scraper": 1, "burst": 2},
	  "flash_sale": {"at": "500ms", "hold": "1s", "rate": 40, "products": ["p7", "p8"]}
	}`))
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	ids := map[string]int{}
	res, err := Run(context.Background(), Config{Target: srv.URL, Scenario: sc, Profile: Constant{PerSec: 20}, Logger: quiet(), Seed: 7,
		ForwardedFor: true, OnOrder: func(o AcceptedOrder) {
			mu.Lock()
			ids[o.ID]++
			mu.Unlock()
		}})
	if err != nil {
		t.Fatal(err)
	}
	if res.Funnel.Orders == 0 || int64(len(ids)) != res.Funnel.Orders || res.Funnel.Orders != shop.orders.Load() {
		t.Fatalf("%d orders in the funnel, %d heard by OnOrder, %d placed", res.Funnel.Orders, len(ids), shop.orders.Load())
	}
	for id, n := range ids {
		if n != 1 || !strings.HasPrefix(id, "ord-") {
			t.Fatalf("OnOrder heard %q %d times", id, n)
		}
	}
	// Product pages are only visited by the sale's shoppers (the buyer
	// journey views none): exactly the hot ones, about 40 of them.
	shop.mu.Lock()
	defer shop.mu.Unlock()
	if len(shop.hotViews) != 2 || shop.hotViews["p7"] == 0 || shop.hotViews["p8"] == 0 || shop.hotViews["p7"]+shop.hotViews["p8"] < 25 {
		t.Errorf("product views %v, want only p7 and p8, about 40 in all", shop.hotViews)
	}
	res.Judge(SLO{P99: map[string]Duration{StepHotProduct: Duration(time.Minute)}})
	if err := res.Missed(); err != nil {
		t.Errorf("hot_product latency not recorded: %v", err)
	}
	shoppers, bots := netip.MustParsePrefix("198.18.0.0/15"), netip.MustParsePrefix("203.0.113.0/29")
	for kind, xffs := range shop.forwards {
		for _, x := range xffs {
			a, err := netip.ParseAddr(x)
			if err != nil {
				t.Fatalf("%s request without a valid X-Forwarded-For: %q", kind, x)
			}
			if bot := bots.Contains(a); !bot && !shoppers.Contains(a) {
				t.Fatalf("%s request from %s, outside both ranges", kind, a)
			}
		}
	}
	if len(shop.forwards["/api/v1/checkout"]) == 0 {
		t.Fatal("no checkout seen")
	}
}

func quiet() *slog.Logger { return slog.New(slog.DiscardHandler) }
