package promo

import (
	"math/bits"
	"time"
)

// Line is one cart line as pricing sees it.
type Line struct {
	ProductID  int64
	CategoryID int64
	Quantity   int
	UnitPrice  int64 // minor units
}

// Priced is what Apply took off each line and in all.
type Priced struct {
	// Discounts holds each line's discount, in the order of the lines.
	Discounts []int64
	Subtotal  int64
	Discount  int64
	// CouponDiscount is the part the coupon took off; 0 means the coupon
	// applies to nothing in the cart.
	CouponDiscount int64
	// Applied names each promotion that took something off, and the coupon
	// last, with what each took in all: what a shopper reads on the cart
	// and checkout pages. The amounts add up to Discount.
	Applied []Applied
}

// Applied is one promotion's (or the coupon's) part of a discount.
type Applied struct {
	PromotionID int64  // 0 for the coupon
	Name        string // the promotion's name, or the coupon code
	Coupon      bool
	Amount      int64
}

// Total is what the shopper pays.
func (p Priced) Total() int64 { return p.Subtotal - p.Discount }

// Apply prices lines under the promotions active at now and an optional
// coupon (nil for none; its window and caps are the store's to check). It is
// pure: the same input gives the same answer on the cart page and at
// checkout.
//
// The order of application, each step on what the previous ones left:
//  1. For each line, the one product or category promotion that takes the
//     most off it (automatic promotions do not stack on a line).
//  2. The one cart promotion that takes the most off the cart.
//  3. The coupon.
//
// A percentage is rounded half away from zero on each line. A fixed cart
// discount is spread over the lines in proportion to what is left on them
// (each share rounded the same way, the last line taking the remainder), so
// a returned line gives back its own share. No line goes below zero.
func Apply(lines []Line, promos []Promotion, coupon *Coupon, now time.Time) Priced {
	out := Priced{Discounts: make([]int64, len(lines))}
	left := make([]int64, len(lines))
	for i, l := range lines {
		left[i] = max(l.UnitPrice, 0) * int64(max(l.Quantity, 0))
		out.Subtotal += left[i]
	}
	var linePromos, cartPromos []Promotion
	for _, p := range promos {
		switch {
		case !p.Active(now):
		case p.Scope == Cart:
			cartPromos = append(cartPromos, p)
		default:
			linePromos = append(linePromos, p)
		}
	}
	credit := func(a Applied) {
		if a.Amount <= 0 {
			return
		}
		for i := range out.Applied {
			if out.Applied[i].PromotionID == a.PromotionID && out.Applied[i].Coupon == a.Coupon {
				out.Applied[i].Amount += a.Amount
				return
			}
		}
		out.Applied = append(out.Applied, a)
	}
	for i, l := range lines {
		best, by := int64(0), -1
		for k, p := range linePromos {
			if v := p.onLine(l, left[i]); v > best {
				best, by = v, k
			}
		}
		if by >= 0 {
			credit(Applied{PromotionID: linePromos[by].ID, Name: linePromos[by].Name, Amount: take(out.Discounts, left, i, best)})
		}
	}
	var bestCart []int64
	bestSum, by := int64(0), -1
	for k, p := range cartPromos {
		if shares, sum := p.onCart(left); sum > bestSum {
			bestCart, bestSum, by = shares, sum, k
		}
	}
	var cartTaken int64
	for i, v := range bestCart {
		cartTaken += take(out.Discounts, left, i, v)
	}
	if by >= 0 {
		credit(Applied{PromotionID: cartPromos[by].ID, Name: cartPromos[by].Name, Amount: cartTaken})
	}
	if coupon != nil {
		d := coupon.Discount
		if d.Scope == Cart {
			shares, sum := d.onCart(left)
			for i, v := range shares {
				take(out.Discounts, left, i, v)
			}
			out.CouponDiscount = sum
		} else {
			for i, l := range lines {
				v := d.onLine(l, left[i])
				take(out.Discounts, left, i, v)
				out.CouponDiscount += v
			}
		}
		credit(Applied{Name: coupon.Code, Coupon: true, Amount: out.CouponDiscount})
	}
	for _, v := range out.Discounts {
		out.Discount += v
	}
	return out
}

// take moves v (already at most left[i]) from line i's amount to its
// discount and returns what it moved.
func take(discounts, left []int64, i int, v int64) int64 {
	v = min(max(v, 0), left[i])
	discounts[i] += v
	left[i] -= v
	return v
}

// applies reports whether a product or category discount covers the line.
func (d Discount) applies(l Line) bool {
	switch d.Scope {
	case Product:
		return l.ProductID == d.TargetID
	case Category:
		return l.CategoryID == d.TargetID
	}
	return false
}

// onLine is what a product or category discount takes off a line that has
// left to pay.
func (d Discount) onLine(l Line, left int64) int64 {
	if !d.applies(l) || left <= 0 {
		return 0
	}
	if d.Kind == Percent {
		return percentOf(left, d.Value)
	}
	if q := int64(l.Quantity); q > 0 && d.Value > left/q {
		return left // the per-unit discount would pass the price
	}
	return d.Value * int64(l.Quantity)
}

// onCart spreads a cart discount over lines with left to pay and returns
// each line's share and their sum.
func (d Discount) onCart(left []int64) ([]int64, int64) {
	shares := make([]int64, len(left))
	var total int64
	for _, v := range left {
		total += v
	}
	if total <= 0 {
		return shares, 0
	}
	if d.Kind == Percent {
		var sum int64
		for i, v := range left {
			shares[i] = percentOf(v, d.Value)
			sum += shares[i]
		}
		return shares, sum
	}
	value := min(d.Value, total)
	last := -1
	for i, v := range left {
		if v > 0 {
			last = i
		}
	}
	var given int64
	for i, v := range left {
		if i == last {
			shares[i] = min(max(value-given, 0), v)
		} else if v > 0 {
			shares[i] = min(proportion(value, v, total), v)
		}
		given += shares[i]
	}
	return shares, given
}

// percentOf is pct% of amount rounded half away from zero, without
// overflow: amount = 100q + r, so amount*pct/100 = q*pct + r*pct/100.
func percentOf(amount, pct int64) int64 {
	q, r := amount/100, amount%100
	return q*pct + (r*pct+50)/100
}

// proportion is value*part/whole rounded half up, in 128 bits so large
// carts cannot overflow; it needs 0 <= value, part <= whole.
func proportion(value, part, whole int64) int64 {
	hi, lo := bits.Mul64(uint64(value), uint64(part))
	q, rem := bits.Div64(hi, lo, uint64(whole))
	if rem >= uint64(whole)-rem {
		q++
	}
	return int64(q)
}
