package order

import (
	"strings"
	"testing"

	"github.com/peakshop/peakshop/internal/domain/apperr"
)

func validRequest() CheckoutRequest {
	return CheckoutRequest{CartID: "cart_01ARZ3NDEKTSV4RRFFQ69G5FAV", Email: "ada@example.com",
		ShippingAddress: Address{Name: "Ada", Line1: "1 Main St", City: "Springfield", PostalCode: "12345", Country: "us"},
		Payment:         PaymentInput{Token: "tok_visa"}}
}

func TestValidate(t *testing.T) {
	cases := []struct {
		name  string
		mut   func(*CheckoutRequest)
		field string
	}{
		{"valid", func(*CheckoutRequest) {}, ""},
		{"cart", func(r *CheckoutRequest) { r.CartID = "x" }, "cart_id"},
		{"email", func(r *CheckoutRequest) { r.Email = "Ada <ada@example.com>" }, "email"},
		{"email no dot", func(r *CheckoutRequest) { r.Email = "ada@localhost" }, "email"},
		{"name", func(r *CheckoutRequest) { r.ShippingAddress.Name = " " }, "shipping_address.name"},
		{"newline", func(r *CheckoutRequest) { r.ShippingAddress.City = "a\nb" }, "shipping_address.city"},
		{"long", func(r *CheckoutRequest) { r.ShippingAddress.Line1 = strings.Repeat("x", 201) }, "shipping_address.line1"},
		{"country", func(r *CheckoutRequest) { r.ShippingAddress.Country = "U1" }, "shipping_address.country"},
		{"token", func(r *CheckoutRequest) { r.Payment.Token = "tok visa" }, "payment.token"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := validRequest()
			c.mut(&r)
			r.Normalize()
			err := r.Validate()
			if c.field == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			var ae *apperr.Error
			if !apperrAs(err, &ae) || ae.Kind != apperr.Invalid || ae.Fields[0].Field != c.field {
				t.Fatalf("got %v, want invalid %s", err, c.field)
			}
		})
	}
}

func TestHashIgnoresWhitespaceNotContent(t *testing.T) {
	a, b := validRequest(), validRequest()
	b.Email = "  ada@example.com "
	a.Normalize()
	b.Normalize()
	if a.Hash() != b.Hash() {
		t.Fatal("whitespace changed the hash")
	}
	b.Payment.Token = "tok_mastercard"
	if a.Hash() == b.Hash() {
		t.Fatal("another token, same hash")
	}
}

func TestValidKey(t *testing.T) {
	for k, want := range map[string]bool{"": false, "a": true, strings.Repeat("k", 255): true, strings.Repeat("k", 256): false, "a b": false, "é": false} {
		if ValidKey(k) != want {
			t.Errorf("ValidKey(%q) != %v", k, want)
		}
	}
}

func apperrAs(err error, target **apperr.Error) bool {
	e, ok := err.(*apperr.Error)
	*target = e
	return ok
}
