package storetest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/peakshop/peakshop/internal/domain/apperr"
	"github.com/peakshop/peakshop/internal/domain/cart"
	"github.com/peakshop/peakshop/internal/domain/catalog"
	"github.com/peakshop/peakshop/internal/platform/ids"
	"github.com/peakshop/peakshop/internal/storage/sqlstore"
)

func testCarts(t *testing.T, s *sqlstore.Store) {
	ctx := context.Background()
	mustSeed(t, s)
	now := time.Now()
	id := ids.New("cart", now)
	mustNoErr(t, s.CreateCart(ctx, id, now), "create")
	wantKind(t, s.CreateCart(ctx, id, now), apperr.Conflict)

	c, err := s.Cart(ctx, id)
	mustNoErr(t, err, "empty cart")
	if c.ID != id || c.Status != cart.Open || c.Items == nil || len(c.Items) != 0 || c.Total != usd(0) {
		t.Errorf("empty cart = %+v", c)
	}

	tick := func(i int) time.Time { return now.Add(time.Duration(i) * time.Millisecond) }
	mustNoErr(t, s.SetQuantity(ctx, id, "WB-1", 2, tick(1)), "add WB-1")
	mustNoErr(t, s.SetQuantity(ctx, id, "TR-40", 1, tick(2)), "add TR-40")
	mustNoErr(t, s.SetQuantity(ctx, id, "CS-1", 1, tick(3)), "add CS-1")
	mustNoErr(t, s.SetQuantity(ctx, id, "WB-1", 3, tick(4)), "change WB-1")
	mustNoErr(t, s.SetQuantity(ctx, id, "CS-1", 0, now), "remove CS-1")
	mustNoErr(t, s.SetQuantity(ctx, id, "SH-1", 0, now), "remove a line that is not there")
	c, err = s.Cart(ctx, id)
	mustNoErr(t, err, "cart")
	want := []cart.Item{
		{SKU: "WB-1", Quantity: 3, UnitPrice: usd(1999), LineTotal: usd(5997)},
		{SKU: "TR-40", Quantity: 1, UnitPrice: usd(7999), LineTotal: usd(7999)},
	}
	if fmt.Sprint(c.Items) != fmt.Sprint(want) || c.Total != usd(5997+7999) {
		t.Errorf("cart = %+v, want items %+v (in the order first added)", c, want)
	}

	// The price is the catalog's current one, not the one when added.
	_, err = s.UpdateProduct(ctx, mustProductID(t, s, "wool-beanie"), catalog.Draft{Slug: "wool-beanie", Name: "Wool Beanie",
		Category: "hats", Variants: []catalog.VariantDraft{{SKU: "WB-1", Name: "Grey", Price: usd(1500)}}})
	mustNoErr(t, err, "reprice")
	c, _ = s.Cart(ctx, id)
	if c.Items[0].UnitPrice != usd(1500) || c.Total != usd(4500+7999) {
		t.Errorf("repriced cart = %+v", c)
	}

	wantKind(t, s.SetQuantity(ctx, id, "NOPE", 1, now), apperr.NotFound)
	wantKind(t, s.SetQuantity(ctx, "cart_unknown", "WB-1", 1, now), apperr.NotFound)
	_, err = s.Cart(ctx, "cart_unknown")
	wantKind(t, err, apperr.NotFound)
	wantKind(t, s.SetQuantity(ctx, id, "WB-1", -1, now), apperr.Invalid)
	wantKind(t, s.SetQuantity(ctx, id, "WB-1", cart.MaxQuantity+1, now), apperr.Invalid)
	mustNoErr(t, s.SetQuantity(ctx, id, "WB-1", cart.MaxQuantity, now), "max quantity")

	// A checked-out cart is frozen.
	b := begin(id, "key-frozen")
	begun, err := s.BeginCheckout(ctx, b)
	mustNoErr(t, err, "checkout")
	if begun.Order == nil {
		t.Fatalf("checkout = %+v, want an order", begun)
	}
	wantKind(t, s.SetQuantity(ctx, id, "WB-1", 1, now), apperr.Conflict)
	c, _ = s.Cart(ctx, id)
	if c.Status != cart.CheckedOut {
		t.Errorf("status after checkout = %q", c.Status)
	}
}

func mustProductID(tb testing.TB, s *sqlstore.Store, slug string) int64 {
	tb.Helper()
	p, err := s.ProductBySlug(context.Background(), slug)
	if err != nil {
		tb.Fatalf("product %s: %v", slug, err)
	}
	return p.ID
}

func testCartLimits(t *testing.T, s *sqlstore.Store) {
	ctx := context.Background()
	var drafts []catalog.Draft
	for p := range 3 {
		d := catalog.Draft{Slug: fmt.Sprintf("many-%d", p), Name: "Many", Category: "c"}
		for v := range catalog.MaxVariants {
			d.Variants = append(d.Variants, catalog.VariantDraft{SKU: fmt.Sprintf("M-%d-%d", p, v), Name: "v", Price: usd(100), Available: intp(1)})
		}
		drafts = append(drafts, d)
	}
	mustNoErr(t, s.ImportCatalog(ctx, []catalog.Category{{Slug: "c", Name: "C"}}, drafts), "import")
	id := mustCart(t, s)
	var skus []string
	for _, d := range drafts {
		for _, v := range d.Variants {
			skus = append(skus, v.SKU)
		}
	}
	for _, sku := range skus[:cart.MaxLines] {
		mustNoErr(t, s.SetQuantity(ctx, id, sku, 1, time.Now()), "add "+sku)
	}
	err := s.SetQuantity(ctx, id, skus[cart.MaxLines], 1, time.Now())
	wantKind(t, err, apperr.Invalid)
	// Changing a line already there is fine at the limit.
	mustNoErr(t, s.SetQuantity(ctx, id, skus[0], 5, time.Now()), "change at the limit")
	c, err := s.Cart(ctx, id)
	mustNoErr(t, err, "cart")
	if len(c.Items) != cart.MaxLines {
		t.Errorf("cart has %d lines, want %d", len(c.Items), cart.MaxLines)
	}
}
