// Package promo owns promotions and coupons: automatic percentage and fixed
// discounts on a product, a category or the whole cart within a time window;
// coupon codes that carry such a discount plus a total and a per-customer
// usage cap; their validation; and Apply, the pure pricing function that
// checkout and the cart both use, so a cart shows exactly what checkout
// charges.
//
// Money is integer minor units in the shop currency. Rounding is round half
// away from zero per line (amounts are never negative, so it is half up), and
// no line is ever discounted below zero.
//
// Caps are enforced by the store, in the checkout's transaction, the same
// way stock is: this package only describes them.
package promo

import (
	"context"
	"time"
)

// Kind is how a discount is computed.
type Kind string

// Discount kinds. A Percent value is a whole percentage from 1 to 100; a
// Fixed value is minor units, taken off each unit for product and category
// scopes and off the cart once for the cart scope.
const (
	Percent Kind = "percent"
	Fixed   Kind = "fixed"
)

// Scope is what a discount applies to.
type Scope string

// Discount scopes. Product and Category name their target by id.
const (
	Product  Scope = "product"
	Category Scope = "category"
	Cart     Scope = "cart"
)

// Discount is the what of a promotion or coupon.
type Discount struct {
	Kind     Kind  `json:"kind"`
	Value    int64 `json:"value"`
	Scope    Scope `json:"scope"`
	TargetID int64 `json:"target_id,omitempty"`
}

// Window is when a promotion or coupon is active: from StartsAt (inclusive)
// to EndsAt (exclusive); a zero EndsAt never ends.
type Window struct {
	StartsAt time.Time `json:"starts_at"`
	EndsAt   time.Time `json:"ends_at,omitzero"`
}

// Active reports whether now falls inside the window.
func (w Window) Active(now time.Time) bool {
	return !now.Before(w.StartsAt) && (w.EndsAt.IsZero() || now.Before(w.EndsAt))
}

// Promotion is a discount every shopper gets automatically while it is active.
type Promotion struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
	Discount
	Window
}

// Coupon is a discount a shopper asks for by code. MaxUses caps redemptions
// in total; MaxPerCustomer caps them per customer account, or per e-mail
// address for guests.
type Coupon struct {
	Code string `json:"code"`
	Discount
	Window
	MaxUses        int `json:"max_uses"`
	MaxPerCustomer int `json:"max_per_customer"`
	Used           int `json:"used"`
}

// Store keeps promotions and coupons. Deleting an unknown one is apperr
// NotFound; creating a coupon whose code exists is apperr Conflict.
type Store interface {
	CreatePromotion(ctx context.Context, p Promotion) (Promotion, error)
	// Promotions lists promotions that have not ended by now, by id.
	Promotions(ctx context.Context, now time.Time) ([]Promotion, error)
	DeletePromotion(ctx context.Context, id int64) error
	CreateCoupon(ctx context.Context, c Coupon) (Coupon, error)
	Coupons(ctx context.Context) ([]Coupon, error)
	DeleteCoupon(ctx context.Context, code string) error
}
