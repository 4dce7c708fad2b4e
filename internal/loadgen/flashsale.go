package loadgen

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"net/netip"
	"time"
)

// StepHotProduct views one of the flash sale's hot products (and picks one
// of its SKUs for the next add to cart).
const StepHotProduct = "hot_product"

// defaultHotProducts is how many products a flash sale fights over when the
// scenario names none: few enough that stock runs out and checkouts race
// for the last units, which is what a sale does to a shop.
const defaultHotProducts = 3

// FlashSale is a second stream of arrivals on top of the profile: from At
// for Hold, Rate more sessions a second walk Steps (by default: view a hot
// product, add it to the cart, check out). Hot products are the ones named
// in Products (slugs, looked up in the catalog read at start), or else the
// first HotProducts in-stock products the API lists.
type FlashSale struct {
	At          Duration `json:"at"`
	Hold        Duration `json:"hold"`
	Rate        float64  `json:"rate"`
	Products    []string `json:"products,omitempty"`
	HotProducts int      `json:"hot_products,omitempty"`
	Steps       []string `json:"steps,omitempty"`
	Think       *Think   `json:"think_time,omitempty"`
}

func (f *FlashSale) fillDefaults() {
	if f.HotProducts == 0 {
		f.HotProducts = defaultHotProducts
	}
	if len(f.Steps) == 0 {
		f.Steps = []string{StepHotProduct, StepAddCart, StepCheckout}
	}
}

func (f *FlashSale) validate() error {
	var errs []error
	if f.At < 0 || f.Hold <= 0 {
		errs = append(errs, errors.New("flash_sale: at must be 0 or more and hold above 0"))
	}
	if !finite(f.Rate) || f.Rate <= 0 || f.Rate > 1e6 {
		errs = append(errs, fmt.Errorf("flash_sale.rate %v must be above 0 and at most 1e6 per second", f.Rate))
	}
	if f.HotProducts < 0 || f.HotProducts > 1000 || len(f.Products) > 1000 {
		errs = append(errs, errors.New("flash_sale: at most 1000 hot products"))
	}
	if len(f.Steps) > 100 {
		errs = append(errs, errors.New("flash_sale: at most 100 steps"))
	}
	for _, st := range f.Steps {
		if _, err := ParseStep(st); err != nil {
			errs = append(errs, fmt.Errorf("flash_sale: %w", err))
		}
	}
	if f.Think != nil {
		errs = append(errs, f.Think.validate("flash_sale.think_time"))
	}
	return errors.Join(errs...)
}

// on reports whether the sale is open at offset t.
func (f *FlashSale) on(t time.Duration) bool { return t >= f.At.D() && t < f.At.D()+f.Hold.D() }

// withSale adds the sale's arrivals to the base profile, so one pacer
// schedules both streams and the open model holds for the sum.
type withSale struct {
	base Profile
	sale *FlashSale
}

// Rate implements Profile.
func (w withSale) Rate(t time.Duration) float64 {
	r := w.base.Rate(t)
	if w.sale.on(t) {
		r += w.sale.Rate
	}
	return r
}

// flashShopper decides whether a session arriving at offset t is one of the
// sale's: with the sale's share of the total rate at that moment, so the
// streams keep their proportions whatever the pacer's lateness.
// The die is cast only during the sale, so a scenario without one makes
// the same choices for the same seed as before sales existed.
func (r *runner) flashShopper(t time.Duration, rng *rand.Rand) bool {
	f := r.sc.FlashSale
	if f == nil || !f.on(t) {
		return false
	}
	total := r.profile.Rate(t)
	return total > 0 && rng.Float64() < f.Rate/total
}

// Synthetic client addresses for ForwardedFor. Shoppers come from the
// benchmarking range (RFC 2544, 198.18.0.0/15), one address per session, as
// real shoppers come from many homes. Bots come from only four addresses of
// TEST-NET-3 (RFC 5737), because that is what makes them bots to a rate
// rule: many requests from few places.
var (
	shopperNet = netip.MustParseAddr("198.18.0.0").As4()
	botNet     = netip.MustParseAddr("203.0.113.0").As4()
)

const botAddrs = 4

// sessionAddr is the X-Forwarded-For of session seq.
func sessionAddr(seq uint64, hostile bool) string {
	if hostile {
		a := botNet
		a[3] = byte(1 + seq%botAddrs)
		return netip.AddrFrom4(a).String()
	}
	n := uint32(seq % (1 << 17)) // a /15 holds 2^17 addresses
	a := shopperNet
	a[1] += byte(n >> 16)
	a[2], a[3] = byte(n>>8), byte(n)
	return netip.AddrFrom4(a).String()
}
