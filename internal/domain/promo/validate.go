package promo

import (
	"strings"
	"unicode/utf8"

	"github.com/peakshop/peakshop/internal/domain/apperr"
)

// Limits that keep an admin's typo from becoming a free-for-all.
const (
	MaxFixed   = 1_000_000_000 // minor units
	MaxUses    = 1_000_000_000
	maxName    = 200
	minCodeLen = 3
	MaxCodeLen = 32
)

// NormalizeCode makes codes case-insensitive for shoppers: "summer10 " is
// SUMMER10.
func NormalizeCode(s string) string { return strings.ToUpper(strings.TrimSpace(s)) }

// ValidCode reports whether a normalized code has the shape of a coupon
// code: 3 to 32 of A-Z, 0-9, '-' and '_'.
func ValidCode(s string) bool {
	if len(s) < minCodeLen || len(s) > MaxCodeLen {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

func (d Discount) check(add func(field, reason string)) {
	switch d.Kind {
	case Percent:
		if d.Value < 1 || d.Value > 100 {
			add("value", "a percentage must be a whole number from 1 to 100")
		}
	case Fixed:
		if d.Value < 1 || d.Value > MaxFixed {
			add("value", "a fixed discount must be from 1 to 1000000000 minor units")
		}
	default:
		add("kind", "must be percent or fixed")
	}
	switch d.Scope {
	case Product, Category:
		if d.TargetID <= 0 {
			add("target_id", "must be the id of the "+string(d.Scope))
		}
	case Cart:
		if d.TargetID != 0 {
			add("target_id", "must be left out for a cart discount")
		}
	default:
		add("scope", "must be product, category or cart")
	}
}

func (w Window) check(add func(field, reason string)) {
	if w.StartsAt.IsZero() {
		add("starts_at", "is required")
	}
	if !w.EndsAt.IsZero() && !w.EndsAt.After(w.StartsAt) {
		add("ends_at", "must be after starts_at")
	}
}

// Validate checks a promotion an admin submits and lists every problem.
func (p *Promotion) Validate() error {
	var errs []apperr.FieldError
	add := func(field, reason string) { errs = append(errs, apperr.FieldError{Field: field, Reason: reason}) }
	p.Name = strings.TrimSpace(p.Name)
	if p.Name == "" || utf8.RuneCountInString(p.Name) > maxName || !utf8.ValidString(p.Name) {
		add("name", "must be 1 to 200 characters")
	}
	p.Discount.check(add)
	p.Window.check(add)
	return apperr.InvalidFields(errs)
}

// Validate normalizes the code of a coupon an admin submits and lists every
// problem.
func (c *Coupon) Validate() error {
	var errs []apperr.FieldError
	add := func(field, reason string) { errs = append(errs, apperr.FieldError{Field: field, Reason: reason}) }
	c.Code = NormalizeCode(c.Code)
	if !ValidCode(c.Code) {
		add("code", "must be 3 to 32 letters, digits, '-' or '_'")
	}
	c.Discount.check(add)
	c.Window.check(add)
	if c.MaxUses < 1 || c.MaxUses > MaxUses {
		add("max_uses", "must be a whole number from 1 to 1000000000")
	}
	if c.MaxPerCustomer < 1 || c.MaxPerCustomer > c.MaxUses {
		add("max_per_customer", "must be a whole number from 1 to max_uses")
	}
	c.Used = 0
	return apperr.InvalidFields(errs)
}

// CustomerKey is whom a per-customer cap counts: the account when signed in,
// otherwise the e-mail address, case-folded so that Ada@X and ada@x are one
// guest.
func CustomerKey(customerID, email string) string {
	if customerID != "" {
		return "cus:" + customerID
	}
	return "email:" + strings.ToLower(strings.TrimSpace(email))
}
