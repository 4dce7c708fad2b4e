package promo

// Quote is a cart priced for the cart and checkout pages by Apply, the
// function checkout charges with, on the same lines, promotions and coupon
// it would use at that moment. The coupon is only looked at, not claimed:
// its total cap may still run out, and its per-customer cap (which needs
// the buyer) is checked when the order is placed.
type Quote struct {
	Priced
	// Coupon is the code the quote was asked for; CouponError says why it
	// cannot be used ("" when it can or none was asked for), in which case
	// the quote is priced without it.
	Coupon      string
	CouponError string
}
