// Package storetest is the storage conformance suite: one set of tests that
// every engine behind sqlstore must pass, so SQLite and PostgreSQL cannot
// drift apart. It also opens throwaway stores for other packages' tests
// (OpenSQLite, OpenPostgres, Engines), so end-to-end tests run on both engines.
package storetest

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/peakshop/peakshop/internal/domain/apperr"
	"github.com/peakshop/peakshop/internal/domain/catalog"
	"github.com/peakshop/peakshop/internal/domain/money"
	"github.com/peakshop/peakshop/internal/platform/ids"
	"github.com/peakshop/peakshop/internal/storage/sqlstore"
)

// Currency is the shop currency the suite runs in (the Store's default).
const Currency = "USD"

// Run runs the conformance suite. open must return a migrated, empty store
// that it closes when the test ends; every subtest opens its own and they run
// in parallel.
func Run(t *testing.T, open func(t testing.TB) *sqlstore.Store) {
	tests := []struct {
		name string
		fn   func(t *testing.T, s *sqlstore.Store)
	}{
		{"ListProducts", testListProducts},
		{"ProductLookup", testProductLookup},
		{"Categories", testCategories},
		{"CreateProduct", testCreateProduct},
		{"UpdateProduct", testUpdateProduct},
		{"DeleteProduct", testDeleteProduct},
		{"SetAvailable", testSetAvailable},
		{"ImportCatalog", testImportCatalog},
		{"Carts", testCarts},
		{"CartLimits", testCartLimits},
		{"CheckoutPaid", testCheckoutPaid},
		{"CheckoutRefused", testCheckoutRefused},
		{"CheckoutOutOfStock", testCheckoutOutOfStock},
		{"CheckoutDeclined", testCheckoutDeclined},
		{"CheckoutFailedReleasesKey", testCheckoutFailedReleasesKey},
		{"PaymentUnique", testPaymentUnique},
		{"PendingOrders", testPendingOrders},
		{"ListOrders", testListOrders},
		{"PruneIdempotencyKeys", testPruneIdempotencyKeys}, {"PruneProcessedEvents", testPruneProcessedEvents}, {"DeleteExpiredSessions", testDeleteExpiredSessions}, {"PruneCarts", testPruneCarts},
		{"Settings", testSettings},
		{"TimeRoundTrip", testTimeRoundTrip},
		{"FlashSale", testFlashSale},
		{"SameKeyRace", testSameKeyRace},
		{"MixedCheckoutsNoDeadlock", testMixedCheckouts},
		{"ConcurrentFailuresIsolated", testConcurrentFailuresIsolated},
		{"Storefront", testStorefront},
		{"Admin", testAdmin},
		{"Promotions", testPromotionsPriced}, {"CouponRefused", testCouponRefused}, {"CouponPerCustomer", testCouponPerCustomer}, {"CouponReleasedOnDecline", testCouponReleasedOnDecline}, {"CouponCapRace", testCouponCapRace}, {"CouponPerCustomerRace", testCouponPerCustomerRace}, {"PromoAdmin", testPromoAdmin},
		{"Drafts", testDrafts}, {"ProductChangedEvents", testProductChangedEvents},
		{"ScheduleRace", testScheduleRace}, {"ScheduleLaunch", testScheduleLaunch}, {"ScheduleRevert", testScheduleRevert},
		{"ScheduleInvalid", testScheduleInvalid}, {"ScheduleFails", testScheduleFails},
		{"CouponReleasedOnCancelPaid", testCouponReleasedOnCancelPaid},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tc.fn(t, open(t))
		})
	}
}

// fixture is the small catalog most tests start from.
type fixture struct {
	ids map[string]int64 // product slug -> id
}

func usd(amount int64) money.Money { return money.Money{Amount: amount, Currency: Currency} }

func intp(n int) *int { return &n }

func fixtureCategories() []catalog.Category {
	return []catalog.Category{{Slug: "shoes", Name: "Shoes"}, {Slug: "hats", Name: "Hats"}, {Slug: "empty", Name: "Empty shelf"}}
}

// fixtureDrafts holds search traps: a literal % and _ in descriptions, so an
// unescaped LIKE would match too much.
func fixtureDrafts() []catalog.Draft {
	return []catalog.Draft{
		{Slug: "trail-runner", Name: "Trail Runner", Description: "Grippy soles.", Category: "shoes",
			Images: []string{"/img/tr-1.png", "https://cdn.example/tr-2.png"},
			Variants: []catalog.VariantDraft{
				{SKU: "TR-41", Name: "EU 41", Price: usd(8999), Available: intp(10)},
				{SKU: "TR-40", Name: "EU 40", Price: usd(7999), Available: intp(5)},
			}},
		{Slug: "city-sneaker", Name: "City Sneaker", Description: "100% cotton_laces", Category: "shoes",
			Variants: []catalog.VariantDraft{{SKU: "CS-1", Name: "One size", Price: usd(5999), Available: intp(3)}}},
		{Slug: "wool-beanie", Name: "Wool Beanie", Description: "Warm.", Category: "hats",
			Variants: []catalog.VariantDraft{{SKU: "WB-1", Name: "Grey", Price: usd(1999), Available: intp(100)}}},
		{Slug: "sun-hat", Name: "Sun Hat", Description: "Wide brim, 50% shade", Category: "hats",
			Variants: []catalog.VariantDraft{{SKU: "SH-1", Name: "Straw", Price: usd(2999), Available: intp(0)}}},
	}
}

func mustSeed(tb testing.TB, s *sqlstore.Store) fixture {
	tb.Helper()
	ctx := context.Background()
	if err := s.ImportCatalog(ctx, fixtureCategories(), fixtureDrafts()); err != nil {
		tb.Fatalf("seed: %v", err)
	}
	ps, err := s.ListProducts(ctx, catalog.ListQuery{Limit: catalog.MaxListLimit})
	if err != nil {
		tb.Fatalf("seed: list: %v", err)
	}
	f := fixture{ids: map[string]int64{}}
	for _, p := range ps {
		f.ids[p.Slug] = p.ID
	}
	return f
}

// mustCart creates a cart holding the lines (sku, quantity pairs).
func mustCart(tb testing.TB, s *sqlstore.Store, lines ...any) string {
	tb.Helper()
	ctx := context.Background()
	id := ids.New("cart", time.Now())
	if err := s.CreateCart(ctx, id, time.Now()); err != nil {
		tb.Fatalf("create cart: %v", err)
	}
	for i := 0; i+1 < len(lines); i += 2 {
		if err := s.SetQuantity(ctx, id, lines[i].(string), lines[i+1].(int), time.Now()); err != nil {
			tb.Fatalf("set %v x%v: %v", lines[i], lines[i+1], err)
		}
	}
	return id
}

// mustCarts creates n carts like mustCart, eight at a time: on PostgreSQL
// each write waits for a commit flush, and the race tests need many carts.
func mustCarts(tb testing.TB, s *sqlstore.Store, n int, lines func(i int) []any) []string {
	tb.Helper()
	ctx := context.Background()
	out := make([]string, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	sem := make(chan struct{}, 8)
	for i := range out {
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			now := time.Now()
			out[i] = ids.New("cart", now)
			if errs[i] = s.CreateCart(ctx, out[i], now); errs[i] != nil {
				return
			}
			l := lines(i)
			for j := 0; j+1 < len(l) && errs[i] == nil; j += 2 {
				errs[i] = s.SetQuantity(ctx, out[i], l[j].(string), l[j+1].(int), now)
			}
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		tb.Fatalf("create carts: %v", err)
	}
	return out
}

func mustStock(tb testing.TB, s *sqlstore.Store, sku string) int {
	tb.Helper()
	n, err := s.StockOf(context.Background(), sku)
	if err != nil {
		tb.Fatalf("stock of %s: %v", sku, err)
	}
	return n
}

func wantStock(tb testing.TB, s *sqlstore.Store, want map[string]int) {
	tb.Helper()
	for sku, n := range want {
		if got := mustStock(tb, s, sku); got != n {
			tb.Errorf("stock of %s = %d, want %d", sku, got, n)
		}
	}
}

func wantKind(tb testing.TB, err error, kind apperr.Kind) {
	tb.Helper()
	if got := apperr.KindOf(err); err == nil || got != kind {
		tb.Fatalf("error = %v (kind %v), want kind %v", err, got, kind)
	}
}

func wantField(tb testing.TB, err error, field string) {
	tb.Helper()
	var e *apperr.Error
	if !errors.As(err, &e) {
		tb.Fatalf("error %v is not an *apperr.Error", err)
	}
	for _, f := range e.Fields {
		if f.Field == field {
			return
		}
	}
	tb.Fatalf("error %v lists fields %+v, want one named %q", err, e.Fields, field)
}

func mustNoErr(tb testing.TB, err error, what string) {
	tb.Helper()
	if err != nil {
		tb.Fatalf("%s: %v", what, err)
	}
}
