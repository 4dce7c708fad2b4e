// Package demo owns the demo shop's content: a generated catalog of a dozen
// categories and a couple of thousand products, the same on every machine and
// every run, so a fresh clone shows a believable shop within seconds and
// tests, benchmarks and screenshots can name products that will still exist
// tomorrow. Its placeholder subpackage draws the product images.
//
// Nothing here touches storage: the seeder hands the drafts to a
// catalog.Store, which validates them like any admin's.
package demo

import (
	"fmt"
	"math/rand/v2"
	"strings"

	"github.com/peakshop/peakshop/internal/domain/catalog"
	"github.com/peakshop/peakshop/internal/domain/money"
)

// ProductsPerCategory is how many products Catalog makes in each category.
const ProductsPerCategory = 180

// seed fixes the catalog. Each category draws from its own stream (the
// category's index), so editing one aisle's word table leaves the others as
// they were.
const seed = 0x5eed_9ea4_5409

// Catalog returns the demo categories, each with its product count, and the
// product drafts in the order they should be created: the categories take
// turns, so the first page of an id-ordered listing shows a bit of each.
// Prices are in currency's minor units; every draft passes Validate(currency).
func Catalog(currency string) ([]catalog.Category, []catalog.Draft) {
	cats := make([]catalog.Category, len(categories))
	perCat := make([][]catalog.Draft, len(categories))
	slugs := make(map[string]bool, len(categories)*ProductsPerCategory)
	for i := range categories {
		c := &categories[i]
		rng := rand.New(rand.NewPCG(seed, uint64(i)))
		perCat[i] = c.products(rng, currency, slugs)
		cats[i] = catalog.Category{Slug: c.slug, Name: c.name, ProductCount: len(perCat[i])}
	}
	drafts := make([]catalog.Draft, 0, len(categories)*ProductsPerCategory)
	for n := range ProductsPerCategory {
		for i := range perCat {
			if n < len(perCat[i]) {
				drafts = append(drafts, perCat[i][n])
			}
		}
	}
	return cats, drafts
}

// products draws the category's products. Names are distinct combinations of
// adjective, material and noun taken from a shuffled list, so no name repeats
// and no retry loop depends on luck; slugs already taken by another
// category are skipped.
func (c *category) products(rng *rand.Rand, currency string, slugs map[string]bool) []catalog.Draft {
	na, nm, nn := len(c.adjectives), len(c.materials), len(c.nouns)
	out := make([]catalog.Draft, 0, ProductsPerCategory)
	for _, combo := range rng.Perm(na * nm * nn) {
		if len(out) == ProductsPerCategory {
			break
		}
		adj, mat, n := c.adjectives[combo%na], c.materials[combo/na%nm], c.nouns[combo/(na*nm)]
		name := adj + " " + mat + " " + n.name
		slug := slugify(name)
		if slugs[slug] {
			continue
		}
		slugs[slug] = true
		serial := len(out) + 1
		out = append(out, catalog.Draft{
			Slug:        slug,
			Name:        name,
			Description: sentence(pick(rng, c.features)) + " " + pick(rng, closings),
			Category:    c.slug,
			Images:      images(rng, slug),
			Variants:    variants(rng, fmt.Sprintf("%s-%05d", c.prefix, serial), n, currency),
		})
	}
	return out
}

// variants draws 1-4 neighbouring options (S, M, L rather than XS and XXL)
// and prices them from one base price with one price ending, as a shop would.
func variants(rng *rand.Rand, skuStem string, n noun, currency string) []catalog.VariantDraft {
	k := min(1+rng.IntN(4), len(n.options))
	start := rng.IntN(len(n.options) - k + 1)
	base := n.lo + rng.IntN(n.hi-n.lo+1)
	ending := priceEndings[rng.IntN(len(priceEndings))]
	out := make([]catalog.VariantDraft, k)
	for i, o := range n.options[start : start+k] {
		major := max(int64(base*o.pct/100), 1)
		stock := stockLevel(rng)
		out[i] = catalog.VariantDraft{
			SKU:       skuStem + "-" + o.code,
			Name:      o.name,
			Price:     money.Money{Amount: major*100 - ending, Currency: currency},
			Available: &stock,
		}
	}
	return out
}

// priceEndings are subtracted from a whole price in minor units: 20.00 becomes
// 19.99, 19.95, 19.50 or stays 20.00.
var priceEndings = [...]int64{1, 1, 5, 50, 0}

// stockLevel makes about one variant in twenty sold out and one in eight
// nearly so, so the demo shows every stock badge and flash-sale tests have
// scarce SKUs to fight over.
func stockLevel(rng *rand.Rand) int {
	switch r := rng.IntN(100); {
	case r < 5:
		return 0
	case r < 17:
		return 1 + rng.IntN(5)
	default:
		return 6 + rng.IntN(495)
	}
}

func images(rng *rand.Rand, slug string) []string {
	out := make([]string, 1+rng.IntN(3))
	for i := range out {
		out[i] = fmt.Sprintf("/images/products/%s-%d.png", slug, i+1)
	}
	return out
}

// sentence capitalises a feature, which the tables keep lower-case so they
// read as predicates, and ends it with a full stop.
func sentence(feature string) string { return strings.ToUpper(feature[:1]) + feature[1:] + "." }

func pick(rng *rand.Rand, from []string) string { return from[rng.IntN(len(from))] }

// slugify lower-cases name and joins its words with single dashes.
func slugify(name string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(name) {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			b.WriteRune(r)
			dash = false
		} else {
			dash = true
		}
	}
	return b.String()
}
