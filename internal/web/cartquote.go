package web

import (
	"context"

	"github.com/peakshop/peakshop/internal/domain/money"
	"github.com/peakshop/peakshop/internal/domain/promo"
)

// CartQuoter prices a cart as checkout will charge it: the promotions that
// apply, what each takes off, and the coupon if one is asked for. The
// storefront never computes a price itself; it shows what this returns.
type CartQuoter interface {
	QuoteCart(ctx context.Context, cartID, coupon string) (promo.Quote, error)
}

// discountLine is one promotion (or the coupon) on the cart and checkout
// pages, with what it takes off.
type discountLine struct {
	Name   string
	Coupon bool
	Amount money.Money
}

// maxCouponLen bounds a typed coupon code; real ones are far shorter.
const maxCouponLen = 32

// couponField reads a typed coupon code the way checkout does: codes are
// case-insensitive.
func couponField(v string) string { return promo.NormalizeCode(field(v, maxCouponLen)) }

// quote fills d's discounts and the amount to pay, asking for coupon
// (empty: none). Without a quoter the amount to pay is the total.
func (s *Server) quote(ctx context.Context, d *cartData, coupon string) error {
	d.Payable, d.Coupon = d.Total, coupon
	if s.Quotes == nil || d.ID == "" || len(d.Lines) == 0 {
		return nil
	}
	q, err := s.Quotes.QuoteCart(ctx, d.ID, coupon)
	if err != nil {
		return err
	}
	cur := d.Total.Currency
	for _, a := range q.Applied {
		d.Discounts = append(d.Discounts, discountLine{Name: a.Name, Coupon: a.Coupon, Amount: money.Money{Amount: a.Amount, Currency: cur}})
	}
	d.Discount = money.Money{Amount: q.Discount, Currency: cur}
	d.Subtotal = money.Money{Amount: q.Subtotal, Currency: cur}
	d.Payable = money.Money{Amount: q.Total(), Currency: cur}
	d.CouponError = q.CouponError
	return nil
}
