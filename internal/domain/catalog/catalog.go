// Package catalog owns products, their variants (SKUs) and categories, the rules
// a product must follow, and the Store port that persists them.
package catalog

import (
	"context"
	"time"

	"github.com/peakshop/peakshop/internal/domain/money"
)

// Category groups products for browsing.
type Category struct {
	ID           int64  `json:"id"`
	Slug         string `json:"slug"`
	Name         string `json:"name"`
	ProductCount int    `json:"product_count"`
}

// Variant is one sellable unit of a product, identified by its SKU.
// Available is the stock that can still be sold.
type Variant struct {
	SKU       string      `json:"sku"`
	Name      string      `json:"name"`
	Price     money.Money `json:"price"`
	Available int         `json:"available"`
}

// Product is what a shopper browses. Price is the lowest variant price, the
// "from" price shown in listings.
type Product struct {
	ID          int64       `json:"id"`
	Slug        string      `json:"slug"`
	Name        string      `json:"name"`
	Description string      `json:"description"`
	Category    string      `json:"category"`
	Price       money.Money `json:"price"`
	Images      []string    `json:"images"`
	Variants    []Variant   `json:"variants"`
	// Published is false for a draft: shoppers never see it (public reads
	// leave it out), the back office does.
	Published bool      `json:"published"`
	UpdatedAt time.Time `json:"updated_at"`
}

// FromPrice returns the lowest variant price, the product's listing price.
func FromPrice(variants []Variant) money.Money {
	var p money.Money
	for i, v := range variants {
		if i == 0 || v.Price.Amount < p.Amount {
			p = v.Price
		}
	}
	return p
}

// ListQuery filters and pages the product list. AfterID is the decoded cursor:
// products are listed by ascending id, so pages stay stable while others write.
type ListQuery struct {
	Query    string
	Category string
	Limit    int
	AfterID  int64
	// Drafts includes unpublished products: only the back office sets it.
	Drafts bool
}

// Limits of the product list.
const (
	DefaultListLimit = 24
	MaxListLimit     = 100
)

// Store persists the catalog. Methods return an *apperr.Error of kind NotFound
// for a missing product, category or SKU, and Conflict for a taken slug or SKU.
//
// The reads are the shopper's: they never return a draft (a draft is
// NotFound and counts in no category) unless a ListQuery asks for Drafts.
// AnyProductByID is the back office's read, drafts included.
//
// Every write that changes what shoppers see records a product.changed
// event (Key: the product id) in the same transaction, so the cache purge
// downstream can never miss a committed change.
type Store interface {
	// ListProducts returns up to q.Limit products with id > q.AfterID in id order.
	ListProducts(ctx context.Context, q ListQuery) ([]Product, error)
	ProductByID(ctx context.Context, id int64) (Product, error)
	ProductBySlug(ctx context.Context, slug string) (Product, error)
	// AnyProductByID returns the product, published or not.
	AnyProductByID(ctx context.Context, id int64) (Product, error)
	Categories(ctx context.Context) ([]Category, error)

	// CreateProduct stores a new product with its variants and returns it with its id.
	CreateProduct(ctx context.Context, p Draft) (Product, error)
	// UpdateProduct replaces a product's fields and variant list. Variants
	// that keep their SKU keep their stock unless the draft sets Available;
	// new ones start at the draft's Available; missing ones are removed.
	UpdateProduct(ctx context.Context, id int64, p Draft) (Product, error)
	DeleteProduct(ctx context.Context, id int64) error
	// SetPublished publishes a draft or takes a product back to draft.
	SetPublished(ctx context.Context, id int64, published bool) (Product, error)
	// SetAvailable sets the sellable stock of a SKU.
	SetAvailable(ctx context.Context, sku string, available int) (Variant, error)
}
