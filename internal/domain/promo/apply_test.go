package promo

import (
	"slices"
	"testing"
	"time"
)

func TestApply(t *testing.T) {
	now := time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)
	open := Window{StartsAt: now.Add(-time.Hour)}
	future := Window{StartsAt: now.Add(time.Hour)}
	ended := Window{StartsAt: now.Add(-2 * time.Hour), EndsAt: now}
	promo := func(k Kind, v int64, s Scope, target int64, w Window) Promotion {
		return Promotion{Discount: Discount{Kind: k, Value: v, Scope: s, TargetID: target}, Window: w}
	}
	coupon := func(k Kind, v int64, s Scope, target int64) *Coupon {
		return &Coupon{Code: "C", Discount: Discount{Kind: k, Value: v, Scope: s, TargetID: target}, Window: open}
	}
	// Product 1 in category 10 at 19.99 x2; product 2 in category 20 at 7.99 x1.
	lines := []Line{{ProductID: 1, CategoryID: 10, Quantity: 2, UnitPrice: 1999}, {ProductID: 2, CategoryID: 20, Quantity: 1, UnitPrice: 799}}
	tests := []struct {
		name      string
		lines     []Line
		promos    []Promotion
		coupon    *Coupon
		discounts []int64
		coupon0   int64
	}{
		{"nothing", lines, nil, nil, []int64{0, 0}, 0},
		// 10% of 3998 = 399.8 -> 400.
		{"product percent rounds half up", lines, []Promotion{promo(Percent, 10, Product, 1, open)}, nil, []int64{400, 0}, 0},
		// 15% of 799 = 119.85 -> 120.
		{"category percent", lines, []Promotion{promo(Percent, 15, Category, 20, open)}, nil, []int64{0, 120}, 0},
		{"exact half rounds away from zero", []Line{{ProductID: 1, Quantity: 1, UnitPrice: 50}}, []Promotion{promo(Percent, 1, Product, 1, open)}, nil, []int64{1}, 0},
		{"fixed per unit", lines, []Promotion{promo(Fixed, 500, Product, 1, open)}, nil, []int64{1000, 0}, 0},
		{"fixed never below zero", lines, []Promotion{promo(Fixed, 5000, Category, 20, open)}, nil, []int64{0, 799}, 0},
		{"best line promotion wins, no stacking", lines, []Promotion{promo(Percent, 10, Product, 1, open), promo(Fixed, 300, Category, 10, open)}, nil, []int64{600, 0}, 0},
		// 3998 + 799 = 4797; 1000 spread: 1000*3998/4797 = 833.44 -> 833, last line 167.
		{"cart fixed spread by share", lines, []Promotion{promo(Fixed, 1000, Cart, 0, open)}, nil, []int64{833, 167}, 0},
		{"cart fixed capped at the cart", lines, []Promotion{promo(Fixed, 999999, Cart, 0, open)}, nil, []int64{3998, 799}, 0},
		{"cart percent per line", lines, []Promotion{promo(Percent, 25, Cart, 0, open)}, nil, []int64{1000, 200}, 0},
		{"best cart promotion wins", lines, []Promotion{promo(Percent, 10, Cart, 0, open), promo(Fixed, 1000, Cart, 0, open)}, nil, []int64{833, 167}, 0},
		// Line promo first (400 off line 0, 3598 left), then cart 10%: 359.8 -> 360, 79.9 -> 80.
		{"line then cart", lines, []Promotion{promo(Percent, 10, Product, 1, open), promo(Percent, 10, Cart, 0, open)}, nil, []int64{760, 80}, 0},
		{"not yet started", lines, []Promotion{promo(Percent, 50, Cart, 0, future)}, nil, []int64{0, 0}, 0},
		{"ended (end is exclusive)", lines, []Promotion{promo(Percent, 50, Cart, 0, ended)}, nil, []int64{0, 0}, 0},
		{"coupon cart percent", lines, nil, coupon(Percent, 10, Cart, 0), []int64{400, 80}, 480},
		{"coupon after promotion", lines, []Promotion{promo(Fixed, 999, Product, 2, open)}, coupon(Fixed, 100, Cart, 0), []int64{100, 799}, 100},
		{"coupon on a category not in the cart", lines, nil, coupon(Percent, 10, Category, 99), []int64{0, 0}, 0},
		{"coupon product fixed", lines, nil, coupon(Fixed, 1, Product, 2), []int64{0, 1}, 1},
		{"empty cart", nil, []Promotion{promo(Fixed, 100, Cart, 0, open)}, coupon(Fixed, 100, Cart, 0), []int64{}, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := Apply(tc.lines, tc.promos, tc.coupon, now)
			if !slices.Equal(got.Discounts, tc.discounts) || got.CouponDiscount != tc.coupon0 {
				t.Fatalf("discounts %v coupon %d, want %v coupon %d", got.Discounts, got.CouponDiscount, tc.discounts, tc.coupon0)
			}
			var sum, sub int64
			for i, d := range got.Discounts {
				sum += d
				sub += tc.lines[i].UnitPrice * int64(tc.lines[i].Quantity)
			}
			if got.Discount != sum || got.Subtotal != sub || got.Total() < 0 {
				t.Fatalf("totals %+v", got)
			}
		})
	}
}

// FuzzApply checks the invariants for any input: no line below zero, the
// sum of discounts is the discount, and the cart fixed spread never gives
// more than its value.
func FuzzApply(f *testing.F) {
	f.Add(int64(1999), 2, int64(799), 1, int64(10), int64(1000), true)
	f.Fuzz(func(t *testing.T, p1 int64, q1 int, p2 int64, q2 int, pct, fixed int64, cartFixed bool) {
		if p1 < 0 || p2 < 0 || p1 > 1e9 || p2 > 1e9 || q1 < 0 || q2 < 0 || q1 > 100 || q2 > 100 || pct < 1 || pct > 100 || fixed < 1 || fixed > MaxFixed {
			t.Skip()
		}
		lines := []Line{{ProductID: 1, Quantity: q1, UnitPrice: p1}, {ProductID: 2, Quantity: q2, UnitPrice: p2}}
		scope := Product
		if cartFixed {
			scope = Cart
		}
		target := int64(1)
		if scope == Cart {
			target = 0
		}
		w := Window{StartsAt: time.Unix(0, 0)}
		got := Apply(lines, []Promotion{{Discount: Discount{Kind: Percent, Value: pct, Scope: Product, TargetID: 2}, Window: w}},
			&Coupon{Discount: Discount{Kind: Fixed, Value: fixed, Scope: scope, TargetID: target}}, time.Unix(1, 0))
		for i, d := range got.Discounts {
			if d < 0 || d > lines[i].UnitPrice*int64(lines[i].Quantity) {
				t.Fatalf("line %d discount %d out of range: %+v", i, d, got)
			}
		}
		if cartFixed && got.CouponDiscount > fixed {
			t.Fatalf("coupon took %d, more than %d", got.CouponDiscount, fixed)
		}
		if got.Total() < 0 {
			t.Fatalf("negative total %+v", got)
		}
	})
}

func TestCodeShape(t *testing.T) {
	for code, want := range map[string]bool{"SUMMER10": true, "A-B_C": true, "AB": false, "summer": false, "SP ACE": false, "": false, "ÄBC": false} {
		if ValidCode(code) != want {
			t.Errorf("ValidCode(%q) = %v", code, !want)
		}
	}
	if NormalizeCode(" summer10 ") != "SUMMER10" {
		t.Error("NormalizeCode")
	}
}
