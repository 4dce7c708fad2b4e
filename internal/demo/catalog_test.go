package demo

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite testdata/catalog.sha256 from the current generator")

func mustJSON(tb testing.TB, v any) []byte {
	tb.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

func TestCatalogIsDeterministic(t *testing.T) {
	c1, d1 := Catalog("USD")
	c2, d2 := Catalog("USD")
	a := mustJSON(t, []any{c1, d1})
	b := mustJSON(t, []any{c2, d2})
	if !bytes.Equal(a, b) {
		t.Fatal("two runs of Catalog differ")
	}

	// The checksum pins the catalog across machines and Go releases: seeded
	// demo data that shifts would break links, screenshots and benchmarks.
	sum := sha256.Sum256(a)
	got := hex.EncodeToString(sum[:]) + "\n"
	golden := filepath.Join("testdata", "catalog.sha256")
	if *update {
		if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("catalog checksum = %s, want %s; if the change is intended, run go test ./internal/demo -update", strings.TrimSpace(got), strings.TrimSpace(string(want)))
	}
}

func TestCatalogIsValid(t *testing.T) {
	for _, currency := range []string{"USD", "EUR"} {
		cats, drafts := Catalog(currency)
		if len(cats) != 12 {
			t.Errorf("%d categories, want 12", len(cats))
		}
		if len(drafts) < 2000 {
			t.Errorf("%d products, want at least 2000", len(drafts))
		}
		perCat := map[string]int{}
		for _, d := range drafts {
			perCat[d.Category]++
			d := d // Validate trims the name in place
			if err := d.Validate(currency); err != nil {
				t.Fatalf("%s: %v", d.Slug, err)
			}
		}
		for _, c := range cats {
			if c.Name == "" || perCat[c.Slug] != c.ProductCount || c.ProductCount == 0 {
				t.Errorf("category %+v: %d products generated", c, perCat[c.Slug])
			}
		}
	}
}

func TestCatalogLooksLikeAShop(t *testing.T) {
	cats, drafts := Catalog("USD")
	known := map[string]bool{}
	for _, c := range cats {
		known[c.Slug] = true
	}
	image := regexp.MustCompile(`^/images/products/([a-z0-9-]+)-([1-3])\.png$`)
	slugs, skus := map[string]bool{}, map[string]bool{}
	var variants, soldOut, low int
	for _, d := range drafts {
		if slugs[d.Slug] {
			t.Errorf("slug %q repeats", d.Slug)
		}
		slugs[d.Slug] = true
		if !known[d.Category] {
			t.Errorf("%s: unknown category %q", d.Slug, d.Category)
		}
		if len(d.Variants) < 1 || len(d.Variants) > 4 {
			t.Errorf("%s: %d variants, want 1-4", d.Slug, len(d.Variants))
		}
		if len(d.Images) < 1 || len(d.Images) > 3 {
			t.Errorf("%s: %d images, want 1-3", d.Slug, len(d.Images))
		}
		for i, img := range d.Images {
			m := image.FindStringSubmatch(img)
			if m == nil || m[1] != d.Slug || m[2] != fmt.Sprint(i+1) {
				t.Errorf("%s: image %q", d.Slug, img)
			}
		}
		if len(d.Description) < 40 || !strings.HasSuffix(d.Description, ".") {
			t.Errorf("%s: description %q", d.Slug, d.Description)
		}
		for _, v := range d.Variants {
			variants++
			if skus[v.SKU] {
				t.Errorf("SKU %q repeats", v.SKU)
			}
			skus[v.SKU] = true
			if v.Price.Amount <= 0 || !strings.Contains("00 99 95 50", fmt.Sprintf("%02d", v.Price.Amount%100)) {
				t.Errorf("%s: price %d does not look like a shop price", v.SKU, v.Price.Amount)
			}
			switch a := *v.Available; {
			case a < 0 || a > 500:
				t.Errorf("%s: stock %d, want 0-500", v.SKU, a)
			case a == 0:
				soldOut++
			case a <= 5:
				low++
			}
		}
	}
	if soldOut == 0 || low == 0 || soldOut > variants/10 || low > variants/5 {
		t.Errorf("%d variants: %d sold out and %d low, want a few of each", variants, soldOut, low)
	}
	t.Logf("%d products, %d variants, %d sold out, %d low", len(drafts), variants, soldOut, low)
}

func TestSlugify(t *testing.T) {
	tests := map[string]string{
		"Classic Cotton T-Shirt":       "classic-cotton-t-shirt",
		"Cold-Pressed Sea Salt Oil":    "cold-pressed-sea-salt-oil",
		"  Pro  Quanta  1 TB Drive  ":  "pro-quanta-1-tb-drive",
		"Stone-Ground Vitamin C Serum": "stone-ground-vitamin-c-serum",
	}
	for in, want := range tests {
		if got := slugify(in); got != want {
			t.Errorf("slugify(%q) = %q, want %q", in, got, want)
		}
	}
}

func BenchmarkCatalog(b *testing.B) {
	for b.Loop() {
		Catalog("USD")
	}
}
