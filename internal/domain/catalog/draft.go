package catalog

import (
	"fmt"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/peakshop/peakshop/internal/domain/apperr"
	"github.com/peakshop/peakshop/internal/domain/money"
)

// Draft is a product as an admin submits it, before it has an id.
type Draft struct {
	Slug        string         `json:"slug"`
	Name        string         `json:"name"`
	Description string         `json:"description"`
	Category    string         `json:"category"`
	Images      []string       `json:"images"`
	Variants    []VariantDraft `json:"variants"`
	// Published says whether shoppers see the product. Absent means
	// published for a new product (what API clients written before drafts
	// expect) and unchanged for an update.
	Published *bool `json:"published,omitempty"`
}

// VariantDraft is a variant as submitted. Available is a pointer so that an
// update can leave the stock of an existing SKU alone.
type VariantDraft struct {
	SKU       string      `json:"sku"`
	Name      string      `json:"name"`
	Price     money.Money `json:"price"`
	Available *int        `json:"available,omitempty"`
}

// Limits on what a product may hold.
const (
	MaxVariants    = 20
	MaxImages      = 10
	MaxStock       = 1_000_000_000
	MaxPriceMinor  = 100_000_000_00 // one hundred million in major units
	maxNameLen     = 200
	maxDescLen     = 10_000
	maxImageURLLen = 500
	maxSlugLen     = 120
	maxSKULen      = 64
	maxVariantName = 100
)

var (
	slugPattern = regexp.MustCompile(`^[a-z0-9]+(?:-[a-z0-9]+)*$`)
	skuPattern  = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]*$`)
)

// ValidSlug reports whether s can name a product or category in a URL. A slug
// made only of digits is refused, so /products/{id-or-slug} is never ambiguous.
func ValidSlug(s string) bool {
	if len(s) == 0 || len(s) > maxSlugLen || !slugPattern.MatchString(s) {
		return false
	}
	return strings.Trim(s, "0123456789") != ""
}

// ValidSKU reports whether s is a well-formed SKU.
func ValidSKU(s string) bool { return len(s) > 0 && len(s) <= maxSKULen && skuPattern.MatchString(s) }

// Validate checks a draft against the catalog's rules in the given shop currency.
func (d *Draft) Validate(currency string) error {
	var errs []apperr.FieldError
	add := func(field, reason string) { errs = append(errs, apperr.FieldError{Field: field, Reason: reason}) }
	d.Name = strings.TrimSpace(d.Name)
	if !ValidSlug(d.Slug) {
		add("slug", "must be lower-case letters, digits and single dashes, not only digits, at most 120 characters")
	}
	if d.Name == "" || utf8.RuneCountInString(d.Name) > maxNameLen || !utf8.ValidString(d.Name) {
		add("name", "is required, at most 200 characters")
	}
	if utf8.RuneCountInString(d.Description) > maxDescLen || !utf8.ValidString(d.Description) {
		add("description", "must be at most 10000 characters")
	}
	if !ValidSlug(d.Category) {
		add("category", "must be the slug of a category")
	}
	if len(d.Images) > MaxImages {
		add("images", fmt.Sprintf("at most %d images", MaxImages))
	}
	for i, img := range d.Images {
		if img == "" || len(img) > maxImageURLLen || !(strings.HasPrefix(img, "/") || strings.HasPrefix(img, "https://")) {
			add(fmt.Sprintf("images[%d]", i), "must be a path or an https URL of at most 500 characters")
		}
	}
	if len(d.Variants) == 0 || len(d.Variants) > MaxVariants {
		add("variants", fmt.Sprintf("a product needs 1 to %d variants", MaxVariants))
	}
	seen := make(map[string]bool, len(d.Variants))
	for i, v := range d.Variants {
		f := fmt.Sprintf("variants[%d]", i)
		switch {
		case !ValidSKU(v.SKU):
			add(f+".sku", "must be letters, digits, dot, dash or underscore, at most 64 characters")
		case seen[v.SKU]:
			add(f+".sku", "is listed twice")
		}
		seen[v.SKU] = true
		if strings.TrimSpace(v.Name) == "" || utf8.RuneCountInString(v.Name) > maxVariantName {
			add(f+".name", "is required, at most 100 characters")
		}
		if v.Price.Currency != currency {
			add(f+".price.currency", "must be the shop currency "+currency)
		}
		if v.Price.Amount < 0 || v.Price.Amount > MaxPriceMinor {
			add(f+".price.amount", "must be between 0 and 10000000000 minor units")
		}
		if v.Available != nil && (*v.Available < 0 || *v.Available > MaxStock) {
			add(f+".available", "must be between 0 and 1000000000")
		}
	}
	return apperr.InvalidFields(errs)
}
