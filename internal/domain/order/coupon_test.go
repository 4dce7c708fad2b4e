package order

import (
	"errors"
	"testing"

	"github.com/peakshop/peakshop/internal/domain/apperr"
	"github.com/peakshop/peakshop/internal/domain/promo"
)

// FuzzCouponField: any coupon text either validates to a normalized code or
// is refused on field "coupon" alone; it takes part in the idempotency hash,
// and leaving it out hashes as before the field existed.
func FuzzCouponField(f *testing.F) {
	for _, s := range []string{"", "SUMMER10", " summer10 ", "ab", "A B", "ÄBC", "\x00", "DROP TABLE", "x-_y", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"} {
		f.Add(s)
	}
	plain := validRequest()
	plain.Normalize()
	f.Fuzz(func(t *testing.T, coupon string) {
		r := validRequest()
		r.Coupon = coupon
		r.Normalize()
		err := r.Validate()
		switch {
		case r.Coupon == "":
			if err != nil || r.Hash() != plain.Hash() {
				t.Fatalf("empty coupon %q: err %v, hash changed %v", coupon, err, r.Hash() != plain.Hash())
			}
		case promo.ValidCode(r.Coupon):
			if err != nil || r.Hash() == plain.Hash() {
				t.Fatalf("valid coupon %q: err %v or hash unchanged", coupon, err)
			}
		default:
			var e *apperr.Error
			if !errors.As(err, &e) || len(e.Fields) != 1 || e.Fields[0].Field != "coupon" {
				t.Fatalf("coupon %q: %v, want one error on field coupon", coupon, err)
			}
		}
	})
}
