package order

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/mail"
	"strings"
	"unicode/utf8"

	"github.com/peakshop/peakshop/internal/domain/apperr"
	"github.com/peakshop/peakshop/internal/domain/promo"
	"github.com/peakshop/peakshop/internal/platform/ids"
)

// PaymentInput carries the card token the shopper's browser got from the
// payment provider. Card numbers never reach the shop.
type PaymentInput struct {
	Token string `json:"token"`
}

// CheckoutRequest is what a shopper submits to place an order.
type CheckoutRequest struct {
	CartID          string       `json:"cart_id"`
	Email           string       `json:"email"`
	ShippingAddress Address      `json:"shipping_address"`
	Payment         PaymentInput `json:"payment"`
	// Coupon is an optional coupon code. Left out of the JSON when empty, so
	// the idempotency hash of a request without one is what it always was.
	Coupon string `json:"coupon,omitempty"`
	// CustomerID links the order to the signed-in account placing it. It is
	// set by the transport from the session, never decoded from a body.
	CustomerID string `json:"-"`
}

// Field limits, generous enough for real addresses and short enough that a
// request cannot smuggle megabytes into the orders table.
const (
	maxEmailLen  = 254
	maxField     = 200
	maxPostal    = 20
	maxTokenLen  = 255
	MaxKeyLength = 255
)

// Normalize trims what people type by accident, so that "a@b.c " and "a@b.c"
// are one request for idempotency.
func (r *CheckoutRequest) Normalize() {
	for _, s := range []*string{&r.CartID, &r.Email, &r.ShippingAddress.Name, &r.ShippingAddress.Line1,
		&r.ShippingAddress.Line2, &r.ShippingAddress.City, &r.ShippingAddress.PostalCode, &r.ShippingAddress.Country, &r.Payment.Token} {
		*s = strings.TrimSpace(*s)
	}
	r.ShippingAddress.Country = strings.ToUpper(r.ShippingAddress.Country)
	r.Coupon = promo.NormalizeCode(r.Coupon)
}

// Validate checks every field and lists all the problems at once.
func (r *CheckoutRequest) Validate() error {
	var errs []apperr.FieldError
	add := func(field, reason string) { errs = append(errs, apperr.FieldError{Field: field, Reason: reason}) }
	if !ids.Valid("cart", r.CartID) {
		add("cart_id", "must be the id of a cart")
	}
	if !validEmail(r.Email) {
		add("email", "must be an e-mail address such as name@example.com")
	}
	a := r.ShippingAddress
	text := func(field, v string, required bool, max int) {
		switch {
		case required && v == "":
			add(field, "is required")
		case utf8.RuneCountInString(v) > max || !utf8.ValidString(v) || strings.ContainsAny(v, "\x00\r\n"):
			add(field, "must be a single line of at most "+itoa(max)+" characters")
		}
	}
	text("shipping_address.name", a.Name, true, maxField)
	text("shipping_address.line1", a.Line1, true, maxField)
	text("shipping_address.line2", a.Line2, false, maxField)
	text("shipping_address.city", a.City, true, maxField)
	text("shipping_address.postal_code", a.PostalCode, true, maxPostal)
	if !countryCode(a.Country) {
		add("shipping_address.country", "must be a two-letter ISO 3166 country code such as US")
	}
	if r.Payment.Token == "" || len(r.Payment.Token) > maxTokenLen || !printableASCII(r.Payment.Token) {
		add("payment.token", "must be a payment token such as pm_card_visa")
	}
	if r.Coupon != "" && !promo.ValidCode(r.Coupon) {
		add("coupon", "must be a coupon code: 3 to 32 letters, digits, '-' or '_'")
	}
	if r.CustomerID != "" && !ids.Valid("cus", r.CustomerID) {
		add("customer_id", "must be the id of a customer")
	}
	return apperr.InvalidFields(errs)
}

// ValidKey reports whether an Idempotency-Key header value is usable: 1 to 255
// printable ASCII characters.
func ValidKey(key string) bool {
	return key != "" && len(key) <= MaxKeyLength && printableASCII(key)
}

// Hash identifies the request's content, so the same key with another body is
// caught. It hashes the normalized fields, not the raw bytes, so whitespace and
// field order in the JSON do not matter.
func (r *CheckoutRequest) Hash() string {
	b, _ := json.Marshal(r) // a struct of strings always marshals
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

func validEmail(s string) bool {
	if len(s) > maxEmailLen || strings.ContainsAny(s, " <>\"") {
		return false
	}
	a, err := mail.ParseAddress(s)
	return err == nil && a.Address == s && strings.Contains(s[strings.LastIndexByte(s, '@'):], ".")
}

// countryCode checks the shape of an ISO 3166-1 alpha-2 code; whether a
// country is one the shop ships to is a business rule for later.
func countryCode(s string) bool {
	return len(s) == 2 && s[0] >= 'A' && s[0] <= 'Z' && s[1] >= 'A' && s[1] <= 'Z'
}

func printableASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x21 || s[i] > 0x7e {
			return false
		}
	}
	return true
}

func itoa(n int) string {
	b, _ := json.Marshal(n)
	return string(b)
}
