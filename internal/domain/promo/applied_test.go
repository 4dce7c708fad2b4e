package promo

import (
	"slices"
	"testing"
	"time"
)

// Applied names what took each part of the discount, in the order applied,
// and its amounts add up to Discount.
func TestAppliedNamesEachPart(t *testing.T) {
	now := time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)
	open := Window{StartsAt: now.Add(-time.Hour)}
	lines := []Line{{ProductID: 1, CategoryID: 10, Quantity: 2, UnitPrice: 1999}, {ProductID: 2, CategoryID: 20, Quantity: 1, UnitPrice: 799}}
	promos := []Promotion{
		{ID: 7, Name: "Hats 10%", Discount: Discount{Kind: Percent, Value: 10, Scope: Category, TargetID: 10}, Window: open},
		{ID: 8, Name: "Shoes 1 off", Discount: Discount{Kind: Fixed, Value: 100, Scope: Category, TargetID: 20}, Window: open},
		{ID: 9, Name: "5 off the cart", Discount: Discount{Kind: Fixed, Value: 500, Scope: Cart}, Window: open},
		{ID: 10, Name: "Never", Discount: Discount{Kind: Fixed, Value: 100, Scope: Cart}, Window: Window{StartsAt: now.Add(time.Hour)}},
	}
	coupon := &Coupon{Code: "SAVE5", Discount: Discount{Kind: Percent, Value: 5, Scope: Cart}, Window: open}
	p := Apply(lines, promos, coupon, now)
	want := []Applied{
		{PromotionID: 7, Name: "Hats 10%", Amount: 400},
		{PromotionID: 8, Name: "Shoes 1 off", Amount: 100},
		{PromotionID: 9, Name: "5 off the cart", Amount: 500},
		{Name: "SAVE5", Coupon: true, Amount: p.CouponDiscount},
	}
	if !slices.Equal(p.Applied, want) {
		t.Fatalf("applied = %+v, want %+v", p.Applied, want)
	}
	var sum int64
	for _, a := range p.Applied {
		sum += a.Amount
	}
	if sum != p.Discount || p.CouponDiscount == 0 {
		t.Fatalf("applied sums to %d, discount %d (coupon %d)", sum, p.Discount, p.CouponDiscount)
	}
	if none := Apply(lines, nil, nil, now); none.Applied != nil {
		t.Fatalf("no promotions: applied = %+v", none.Applied)
	}
}
