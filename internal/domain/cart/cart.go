// Package cart owns shopping carts: lines of SKUs and quantities priced at the
// catalog's current prices, and the Store port that keeps them.
package cart

import (
	"context"
	"time"

	"github.com/peakshop/peakshop/internal/domain/money"
)

// Status of a cart. A cart is open until a checkout takes it; a declined
// payment opens it again so the shopper can try another card.
type Status string

// Cart statuses.
const (
	Open       Status = "open"
	CheckedOut Status = "checked_out"
)

// Limits that keep a cart sane: nobody buys a million of one thing in a web shop,
// and a cart with thousands of lines is an attack, not a customer.
const (
	MaxQuantity = 100
	MaxLines    = 50
)

// Item is one line of a cart, priced now.
type Item struct {
	SKU       string      `json:"sku"`
	Quantity  int         `json:"quantity"`
	UnitPrice money.Money `json:"unit_price"`
	LineTotal money.Money `json:"line_total"`
	// Discount is what active promotions take off the line, and
	// DiscountedTotal what is left to pay; both are left out when no
	// promotion applies. Coupons are only applied at checkout.
	Discount        money.Money `json:"discount,omitzero"`
	DiscountedTotal money.Money `json:"discounted_total,omitzero"`
}

// Cart is a priced cart.
type Cart struct {
	ID     string      `json:"id"`
	Status Status      `json:"status"`
	Items  []Item      `json:"items"`
	Total  money.Money `json:"total"`
	// Discount and DiscountedTotal are the cart's promotions in all; left
	// out when none applies.
	Discount        money.Money `json:"discount,omitzero"`
	DiscountedTotal money.Money `json:"discounted_total,omitzero"`
	UpdatedAt       time.Time   `json:"updated_at"`
}

// Line is an unpriced cart line as stored.
type Line struct {
	SKU      string
	Quantity int
}

// Store keeps carts. It returns apperr NotFound for an unknown cart or SKU,
// Conflict for a cart that is no longer open, and Invalid when a cart would
// pass MaxLines.
type Store interface {
	CreateCart(ctx context.Context, id string, now time.Time) error
	// Cart returns the cart priced at current catalog prices in the shop currency.
	Cart(ctx context.Context, id string) (Cart, error)
	// SetQuantity sets a line's quantity; 0 removes the line.
	SetQuantity(ctx context.Context, id, sku string, quantity int, now time.Time) error
}

// Tally fills each line total and the cart total from unit prices and
// quantities. Stores fill unit prices; the arithmetic lives here, once.
func (c *Cart) Tally(currency string) error {
	total := money.Zero(currency)
	for i := range c.Items {
		it := &c.Items[i]
		lt, err := it.UnitPrice.Times(it.Quantity)
		if err != nil {
			return err
		}
		it.LineTotal = lt
		if total, err = total.Add(lt); err != nil {
			return err
		}
	}
	c.Total = total
	if c.Items == nil {
		c.Items = []Item{}
	}
	return nil
}
