package storetest

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/peakshop/peakshop/internal/domain/apperr"
	"github.com/peakshop/peakshop/internal/domain/cart"
	"github.com/peakshop/peakshop/internal/domain/catalog"
	"github.com/peakshop/peakshop/internal/domain/event"
	"github.com/peakshop/peakshop/internal/storage/sqlstore"
)

func boolp(b bool) *bool { return &b }

// wantHidden checks that shoppers' reads cannot see the product.
func wantHidden(tb testing.TB, s *sqlstore.Store, p catalog.Product) {
	tb.Helper()
	ctx := context.Background()
	_, err := s.ProductByID(ctx, p.ID)
	wantKind(tb, err, apperr.NotFound)
	_, err = s.ProductBySlug(ctx, p.Slug)
	wantKind(tb, err, apperr.NotFound)
	for _, q := range []catalog.ListQuery{{Limit: 100}, {Query: p.Name, Limit: 100}, {Category: p.Category, Limit: 100}} {
		ps, err := s.ListProducts(ctx, q)
		mustNoErr(tb, err, "list")
		for _, got := range ps {
			if got.ID == p.ID {
				tb.Fatalf("list %+v shows draft %s", q, p.Slug)
			}
		}
	}
	ps, err := s.ProductsBySKU(ctx, []string{p.Variants[0].SKU})
	mustNoErr(tb, err, "products by sku")
	if len(ps) != 0 {
		tb.Fatalf("ProductsBySKU shows draft %s", p.Slug)
	}
}

// A draft is invisible to every shopper's read and cannot go in a cart;
// the back office reads it; publishing shows it everywhere.
func testDrafts(t *testing.T, s *sqlstore.Store) {
	ctx := context.Background()
	mustSeed(t, s)
	d := newDraft("secret-shoe", "shoes", "SEC-1")
	d.Published = boolp(false)
	p, err := s.CreateProduct(ctx, d)
	mustNoErr(t, err, "create draft")
	if p.Published {
		t.Fatal("created draft reads as published")
	}
	wantHidden(t, s, p)
	cats, err := s.Categories(ctx)
	mustNoErr(t, err, "categories")
	for _, c := range cats {
		if c.Slug == "shoes" && c.ProductCount != 2 {
			t.Fatalf("shoes counts %d products, want 2 (the draft left out)", c.ProductCount)
		}
	}
	wantKind(t, s.SetQuantity(ctx, mustCart(t, s), "SEC-1", 1, time.Now()), apperr.NotFound)

	got, err := s.AnyProductByID(ctx, p.ID)
	mustNoErr(t, err, "admin read")
	if got.Published || got.Slug != p.Slug {
		t.Fatalf("admin read = %+v", got)
	}
	all, err := s.ListProducts(ctx, catalog.ListQuery{Limit: 100, Drafts: true})
	mustNoErr(t, err, "admin list")
	if len(all) != 5 {
		t.Fatalf("admin list holds %d products, want 5", len(all))
	}
	// An update that does not say leaves it a draft.
	d.Name = "Secret Shoe 2"
	d.Published = nil
	p, err = s.UpdateProduct(ctx, p.ID, d)
	mustNoErr(t, err, "update")
	if p.Published {
		t.Fatal("update without published published the draft")
	}
	p, err = s.SetPublished(ctx, p.ID, true)
	mustNoErr(t, err, "publish")
	if _, err := s.ProductBySlug(ctx, "secret-shoe"); err != nil || !p.Published {
		t.Fatalf("published product: %v, %+v", err, p)
	}
	held := mustCart(t, s)
	mustNoErr(t, s.SetQuantity(ctx, held, "SEC-1", 1, time.Now()), "cart after publish")
	p, err = s.SetPublished(ctx, p.ID, false)
	mustNoErr(t, err, "unpublish")
	wantHidden(t, s, p)
	// A cart that took the product before it went back to draft cannot buy
	// it: a clear 422, the key not claimed, the stock untouched.
	_, err = s.BeginCheckout(ctx, begin(held, "key-draft"))
	wantKind(t, err, apperr.Invalid)
	if _, err := s.IdempotencyRecord(ctx, "key-draft"); !apperr.Is(err, apperr.NotFound) {
		t.Fatalf("key of the refused checkout: %v, want not found", err)
	}
	wantStock(t, s, map[string]int{"SEC-1": 7})
	wantCartStatus(t, s, held, cart.Open)
	_, err = s.SetPublished(ctx, 999999, true)
	wantKind(t, err, apperr.NotFound)
}

// productEvents returns the keys of the product.changed events waiting in
// the outbox, oldest first.
func productEvents(tb testing.TB, s *sqlstore.Store) []string {
	tb.Helper()
	rows, err := s.UnsentEvents(context.Background(), 1000)
	mustNoErr(tb, err, "unsent events")
	var keys []string
	for _, r := range rows {
		if r.Event.Type == event.ProductChanged {
			keys = append(keys, r.Event.Key)
		}
	}
	return keys
}

// Every admin write shoppers can see records one product.changed event
// keyed by the product id, in its own transaction; a refused write
// records none.
func testProductChangedEvents(t *testing.T, s *sqlstore.Store) {
	ctx := context.Background()
	mustSeed(t, s)
	base := len(productEvents(t, s))
	p, err := s.CreateProduct(ctx, newDraft("evt-shoe", "shoes", "EV-1"))
	mustNoErr(t, err, "create")
	id := strconv.FormatInt(p.ID, 10)
	steps := []struct {
		name string
		do   func() error
		want int // new events
	}{
		{"update", func() error { _, err := s.UpdateProduct(ctx, p.ID, newDraft("evt-shoe", "shoes", "EV-1")); return err }, 1},
		{"set stock", func() error { _, err := s.SetAvailable(ctx, "EV-1", 3); return err }, 1},
		{"adjust stock", func() error { _, err := s.AdjustAvailable(ctx, "EV-1", -1); return err }, 1},
		{"unpublish", func() error { _, err := s.SetPublished(ctx, p.ID, false); return err }, 1},
		{"unpublish again", func() error { _, err := s.SetPublished(ctx, p.ID, false); return err }, 0},
		{"publish", func() error { _, err := s.SetPublished(ctx, p.ID, true); return err }, 1},
		{"refused adjust", func() error { _, err := s.AdjustAvailable(ctx, "EV-1", -100); return ignoreKind(err, apperr.Invalid) }, 0},
		{"refused update", func() error {
			_, err := s.UpdateProduct(ctx, p.ID, newDraft("trail-runner", "shoes", "EV-1"))
			return ignoreKind(err, apperr.Conflict)
		}, 0},
		{"delete", func() error { return s.DeleteProduct(ctx, p.ID) }, 1},
	}
	have := base + 1
	if got := productEvents(t, s); len(got) != have || got[len(got)-1] != id {
		t.Fatalf("after create: events %v, want %d ending in %s", got, have, id)
	}
	for _, st := range steps {
		mustNoErr(t, st.do(), st.name)
		have += st.want
		got := productEvents(t, s)
		if len(got) != have || (st.want > 0 && got[len(got)-1] != id) {
			t.Fatalf("after %s: events %v, want %d ending in %s", st.name, got, have, id)
		}
	}
}

func ignoreKind(err error, k apperr.Kind) error {
	if err == nil {
		return apperr.New(apperr.Internal, "the write should have been refused")
	}
	if apperr.Is(err, k) {
		return nil
	}
	return err
}
