package storetest

import (
	"context"
	"slices"
	"strconv"
	"testing"

	"github.com/peakshop/peakshop/internal/domain/apperr"
	"github.com/peakshop/peakshop/internal/domain/catalog"
	"github.com/peakshop/peakshop/internal/storage/sqlstore"
)

func slugs(ps []catalog.Product) []string {
	out := []string{}
	for _, p := range ps {
		out = append(out, p.Slug)
	}
	return out
}

func testListProducts(t *testing.T, s *sqlstore.Store) {
	ctx := context.Background()
	f := mustSeed(t, s)
	all := []string{"trail-runner", "city-sneaker", "wool-beanie", "sun-hat"} // import order is id order
	tests := []struct {
		name string
		q    catalog.ListQuery
		want []string
	}{
		{"all in id order", catalog.ListQuery{}, all},
		{"limit", catalog.ListQuery{Limit: 2}, all[:2]},
		{"cursor", catalog.ListQuery{Limit: 2, AfterID: f.ids["city-sneaker"]}, all[2:]},
		{"cursor past the end", catalog.ListQuery{AfterID: f.ids["sun-hat"]}, []string{}},
		{"search is case-insensitive on name", catalog.ListQuery{Query: "bEaNiE"}, []string{"wool-beanie"}},
		{"search covers description", catalog.ListQuery{Query: "GRIPPY"}, []string{"trail-runner"}},
		{"percent is literal", catalog.ListQuery{Query: "%"}, []string{"city-sneaker", "sun-hat"}},
		{"underscore is literal", catalog.ListQuery{Query: "n_l"}, []string{"city-sneaker"}},
		{"backslash is literal", catalog.ListQuery{Query: `\`}, []string{}},
		{"category", catalog.ListQuery{Category: "hats"}, []string{"wool-beanie", "sun-hat"}},
		{"category and search", catalog.ListQuery{Category: "hats", Query: "sun"}, []string{"sun-hat"}},
		{"unknown category", catalog.ListQuery{Category: "nope"}, []string{}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ps, err := s.ListProducts(ctx, tc.q)
			mustNoErr(t, err, "list")
			if got := slugs(ps); !slices.Equal(got, tc.want) {
				t.Errorf("got %v, want %v", got, tc.want)
			}
			if ps == nil {
				t.Error("got a nil slice; want an empty one for JSON []")
			}
		})
	}
	ps, err := s.ListProducts(ctx, catalog.ListQuery{Limit: 1})
	mustNoErr(t, err, "list")
	tr := ps[0]
	if tr.Category != "shoes" || tr.Price != usd(7999) || len(tr.Variants) != 2 ||
		tr.Variants[0].SKU != "TR-41" || tr.Variants[1].Available != 5 ||
		!slices.Equal(tr.Images, []string{"/img/tr-1.png", "https://cdn.example/tr-2.png"}) {
		t.Errorf("trail runner = %+v", tr)
	}
}

func testProductLookup(t *testing.T, s *sqlstore.Store) {
	ctx := context.Background()
	f := mustSeed(t, s)
	byID, err := s.ProductByID(ctx, f.ids["city-sneaker"])
	mustNoErr(t, err, "by id")
	bySlug, err := s.ProductBySlug(ctx, "city-sneaker")
	mustNoErr(t, err, "by slug")
	if byID.ID != bySlug.ID || byID.Name != "City Sneaker" || byID.Description != "100% cotton_laces" ||
		byID.Images == nil || len(byID.Images) != 0 || byID.UpdatedAt.IsZero() || byID.UpdatedAt.Location().String() != "UTC" {
		t.Errorf("by id %+v, by slug %+v", byID, bySlug)
	}
	_, err = s.ProductByID(ctx, 999999)
	wantKind(t, err, apperr.NotFound)
	_, err = s.ProductBySlug(ctx, "no-such-thing")
	wantKind(t, err, apperr.NotFound)
}

func testCategories(t *testing.T, s *sqlstore.Store) {
	mustSeed(t, s)
	cs, err := s.Categories(context.Background())
	mustNoErr(t, err, "categories")
	type row struct {
		slug  string
		count int
	}
	var got []row
	for _, c := range cs {
		got = append(got, row{c.Slug, c.ProductCount})
		if c.ID == 0 || c.Name == "" {
			t.Errorf("category %+v lacks id or name", c)
		}
	}
	want := []row{{"empty", 0}, {"hats", 2}, {"shoes", 2}} // by name: Empty shelf, Hats, Shoes
	if !slices.Equal(got, want) {
		t.Errorf("categories = %v, want %v", got, want)
	}
}

func newDraft(slug, category string, skus ...string) catalog.Draft {
	d := catalog.Draft{Slug: slug, Name: "Product " + slug, Category: category}
	for i, sku := range skus {
		d.Variants = append(d.Variants, catalog.VariantDraft{SKU: sku, Name: "V" + sku, Price: usd(int64(1000 + i)), Available: intp(7)})
	}
	return d
}

func testCreateProduct(t *testing.T, s *sqlstore.Store) {
	ctx := context.Background()
	mustSeed(t, s)
	p, err := s.CreateProduct(ctx, newDraft("new-thing", "hats", "NT-2", "NT-1"))
	mustNoErr(t, err, "create")
	got, err := s.ProductByID(ctx, p.ID)
	mustNoErr(t, err, "read back")
	if p.ID == 0 || got.Slug != "new-thing" || got.Category != "hats" || len(got.Variants) != 2 ||
		got.Variants[0].SKU != "NT-2" || got.Variants[0].Available != 7 || got.Price != usd(1000) {
		t.Errorf("created %+v, read back %+v", p, got)
	}
	before, _ := s.ProductCount(ctx)

	_, err = s.CreateProduct(ctx, newDraft("new-thing", "hats", "NT-9"))
	wantKind(t, err, apperr.Conflict)
	wantField(t, err, "slug")
	_, err = s.CreateProduct(ctx, newDraft("other-thing", "hats", "NT-8", "WB-1"))
	wantKind(t, err, apperr.Conflict)
	wantField(t, err, "variants[1].sku")
	_, err = s.CreateProduct(ctx, newDraft("third-thing", "no-such-category", "NT-7"))
	wantKind(t, err, apperr.Invalid)
	wantField(t, err, "category")
	_, err = s.CreateProduct(ctx, newDraft("Bad Slug", "hats", "NT-6"))
	wantKind(t, err, apperr.Invalid)

	after, _ := s.ProductCount(ctx)
	if after != before {
		t.Errorf("failed creates changed the product count from %d to %d", before, after)
	}
	if _, err := s.StockOf(ctx, "NT-8"); !apperr.Is(err, apperr.NotFound) {
		t.Errorf("variant of a refused product exists: %v", err)
	}
}

func testUpdateProduct(t *testing.T, s *sqlstore.Store) {
	ctx := context.Background()
	f := mustSeed(t, s)
	id := f.ids["trail-runner"]
	cart := mustCart(t, s, "TR-40", 1, "TR-41", 2)
	d := catalog.Draft{Slug: "trail-runner-2", Name: "Trail Runner II", Description: "New", Category: "hats",
		Images: []string{"/img/new.png"},
		Variants: []catalog.VariantDraft{
			{SKU: "TR-42", Name: "EU 42", Price: usd(9999)},                     // new, no stock given
			{SKU: "TR-41", Name: "EU 41 wide", Price: usd(8500)},                // kept, stock kept
			{SKU: "TR-43", Name: "EU 43", Price: usd(9999), Available: intp(4)}, // new with stock
		}}
	p, err := s.UpdateProduct(ctx, id, d)
	mustNoErr(t, err, "update")
	if p.ID != id || p.Slug != "trail-runner-2" || p.Category != "hats" || p.Name != "Trail Runner II" ||
		len(p.Variants) != 3 || p.Variants[1].Name != "EU 41 wide" || p.Price != usd(8500) {
		t.Errorf("updated = %+v", p)
	}
	wantStock(t, s, map[string]int{"TR-41": 10, "TR-42": 0, "TR-43": 4})
	if _, err := s.StockOf(ctx, "TR-40"); !apperr.Is(err, apperr.NotFound) {
		t.Errorf("dropped SKU TR-40 still exists: %v", err)
	}
	c, err := s.Cart(ctx, cart)
	mustNoErr(t, err, "cart")
	if len(c.Items) != 1 || c.Items[0].SKU != "TR-41" || c.Items[0].UnitPrice != usd(8500) {
		t.Errorf("cart after update = %+v; want only TR-41 at the new price", c.Items)
	}

	d.Variants[1].Available = intp(2)
	_, err = s.UpdateProduct(ctx, id, d)
	mustNoErr(t, err, "update stock")
	wantStock(t, s, map[string]int{"TR-41": 2})

	_, err = s.UpdateProduct(ctx, 999999, d)
	wantKind(t, err, apperr.NotFound)
	taken := d
	taken.Slug = "wool-beanie"
	_, err = s.UpdateProduct(ctx, id, taken)
	wantKind(t, err, apperr.Conflict)
	stolen := d
	stolen.Variants = append(slices.Clone(d.Variants), catalog.VariantDraft{SKU: "WB-1", Name: "x", Price: usd(1)})
	_, err = s.UpdateProduct(ctx, id, stolen)
	wantKind(t, err, apperr.Conflict)
	noCat := d
	noCat.Category = "nope"
	_, err = s.UpdateProduct(ctx, id, noCat)
	wantKind(t, err, apperr.Invalid)
	wantField(t, err, "category")
	got, err := s.ProductByID(ctx, id)
	mustNoErr(t, err, "read back")
	if got.Slug != "trail-runner-2" || len(got.Variants) != 3 {
		t.Errorf("refused updates changed the product: %+v", got)
	}
	wantStock(t, s, map[string]int{"WB-1": 100})
}

func testDeleteProduct(t *testing.T, s *sqlstore.Store) {
	ctx := context.Background()
	f := mustSeed(t, s)
	cart := mustCart(t, s, "CS-1", 1, "WB-1", 1)
	mustNoErr(t, s.DeleteProduct(ctx, f.ids["city-sneaker"]), "delete")
	_, err := s.ProductByID(ctx, f.ids["city-sneaker"])
	wantKind(t, err, apperr.NotFound)
	wantKind(t, s.DeleteProduct(ctx, f.ids["city-sneaker"]), apperr.NotFound)
	c, err := s.Cart(ctx, cart)
	mustNoErr(t, err, "cart")
	if len(c.Items) != 1 || c.Items[0].SKU != "WB-1" {
		t.Errorf("cart after delete = %+v; want only WB-1", c.Items)
	}
}

func testSetAvailable(t *testing.T, s *sqlstore.Store) {
	ctx := context.Background()
	mustSeed(t, s)
	v, err := s.SetAvailable(ctx, "SH-1", 42)
	mustNoErr(t, err, "set")
	if v.SKU != "SH-1" || v.Available != 42 || v.Price != usd(2999) || v.Name != "Straw" {
		t.Errorf("variant = %+v", v)
	}
	wantStock(t, s, map[string]int{"SH-1": 42})
	_, err = s.SetAvailable(ctx, "NOPE", 1)
	wantKind(t, err, apperr.NotFound)
	_, err = s.SetAvailable(ctx, "SH-1", -1)
	wantKind(t, err, apperr.Invalid)
}

func testImportCatalog(t *testing.T, s *sqlstore.Store) {
	ctx := context.Background()
	cats := []catalog.Category{{Slug: "bulk", Name: "Bulk"}}
	var drafts []catalog.Draft
	for i := range 450 {
		d := newDraft("bulk-"+itoa(i), "bulk", "B-"+itoa(i)+"-a", "B-"+itoa(i)+"-b", "B-"+itoa(i)+"-c")
		drafts = append(drafts, d)
	}
	mustNoErr(t, s.ImportCatalog(ctx, cats, drafts), "import")
	n, err := s.ProductCount(ctx)
	mustNoErr(t, err, "count")
	if n != 450 {
		t.Errorf("imported %d products, want 450", n)
	}
	wantStock(t, s, map[string]int{"B-449-c": 7, "B-0-a": 7})
	p, err := s.ProductBySlug(ctx, "bulk-300")
	mustNoErr(t, err, "by slug")
	if len(p.Variants) != 3 || p.Variants[2].SKU != "B-300-c" || p.Category != "bulk" {
		t.Errorf("bulk-300 = %+v", p)
	}
	// All or nothing: a clash in the last product leaves no trace of the rest.
	more := []catalog.Draft{newDraft("fresh-1", "bulk", "F-1"), newDraft("fresh-2", "bulk", "B-0-a")}
	wantKind(t, s.ImportCatalog(ctx, nil, more), apperr.Conflict)
	if n, _ := s.ProductCount(ctx); n != 450 {
		t.Errorf("a failed import left %d products, want 450", n)
	}
	wantKind(t, s.ImportCatalog(ctx, nil, []catalog.Draft{newDraft("fresh-3", "nope", "F-3")}), apperr.Invalid)
}

func itoa(i int) string { return strconv.Itoa(i) }
