package app_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
)

// Bad input gets a problem+json with the right status, never a 500, and
// writes nothing: stock, carts and orders are as they were.
func TestBadInputIsRefusedCleanly(t *testing.T) {
	s := startShop(t, engines(t)["sqlite"](t))
	p := s.addProduct("bad-input-kite", 2000, 10)
	sku := p.Variants[0].SKU
	cart := s.newCart(map[string]int{sku: 1})
	good := func() map[string]any { return checkoutBody(cart, "tok_visa") }
	with := func(mut func(map[string]any)) map[string]any { b := good(); mut(b); return b }
	key := []string{"Idempotency-Key", "bad-1"}

	cases := []struct {
		name, method, path string
		body               any
		headers            []string
		want               int
		field              string
	}{
		{"malformed JSON", "POST", "/api/v1/checkout", `{"cart_id": `, key, 400, ""},
		{"two JSON values", "POST", "/api/v1/checkout", `{} {}`, key, 400, ""},
		{"empty body", "POST", "/api/v1/checkout", "", key, 400, ""},
		{"unknown field", "POST", "/api/v1/checkout", with(func(b map[string]any) { b["discount"] = 100 }), key, 422, "discount"},
		{"wrong type", "POST", "/api/v1/checkout", with(func(b map[string]any) { b["email"] = 5 }), key, 422, "email"},
		{"huge body", "POST", "/api/v1/checkout", `{"email":"` + strings.Repeat("a", 1<<20) + `"}`, key, 413, ""},
		{"no idempotency key", "POST", "/api/v1/checkout", good(), nil, 422, "Idempotency-Key"},
		{"bad email", "POST", "/api/v1/checkout", with(func(b map[string]any) { b["email"] = "not-an-email" }), key, 422, "email"},
		{"missing address", "POST", "/api/v1/checkout", with(func(b map[string]any) { delete(b, "shipping_address") }), key, 422, "shipping_address.name"},
		{"bad country", "POST", "/api/v1/checkout", with(func(b map[string]any) { b["shipping_address"].(map[string]string)["country"] = "USA" }), key, 422, "shipping_address.country"},
		{"no token", "POST", "/api/v1/checkout", with(func(b map[string]any) { b["payment"] = map[string]string{} }), key, 422, "payment.token"},
		{"bad cart id", "POST", "/api/v1/checkout", with(func(b map[string]any) { b["cart_id"] = "'; DROP TABLE carts; --" }), key, 422, "cart_id"},
		{"unknown cart", "POST", "/api/v1/checkout", with(func(b map[string]any) { b["cart_id"] = "cart_01ARZ3NDEKTSV4RRFFQ69G5FAV" }), key, 404, ""},
		{"negative quantity", "PUT", "/api/v1/carts/" + cart + "/items/" + sku, `{"quantity": -1}`, nil, 422, "quantity"},
		{"absurd quantity", "PUT", "/api/v1/carts/" + cart + "/items/" + sku, `{"quantity": 1000000000000}`, nil, 422, "quantity"},
		{"fractional quantity", "PUT", "/api/v1/carts/" + cart + "/items/" + sku, `{"quantity": 1.5}`, nil, 422, "quantity"},
		{"missing quantity", "PUT", "/api/v1/carts/" + cart + "/items/" + sku, `{}`, nil, 422, "quantity"},
		{"unknown SKU", "PUT", "/api/v1/carts/" + cart + "/items/NOPE-1", `{"quantity": 1}`, nil, 404, ""},
		{"wrong content type", "PUT", "/api/v1/carts/" + cart + "/items/" + sku, `{"quantity": 1}`, []string{"Content-Type", "text/plain"}, 415, ""},
		{"bad limit", "GET", "/api/v1/products?limit=0", nil, nil, 422, "limit"},
		{"bad cursor", "GET", "/api/v1/products?cursor=garbage!", nil, nil, 422, "cursor"},
		{"unknown product", "GET", "/api/v1/products/999999", nil, nil, 404, ""},
		{"unknown path", "GET", "/api/v1/nothing-here", nil, nil, 404, ""},
		{"wrong method", "DELETE", "/api/v1/carts", nil, nil, 405, ""},
		{"admin without token", "PUT", "/api/v1/admin/inventory/" + sku, `{"available": 1}`, nil, 401, ""},
		{"admin negative stock", "PUT", "/api/v1/admin/inventory/" + sku, `{"available": -5}`, []string{"Authorization", "Bearer " + adminToken}, 422, "available"},
		{"admin invalid product", "POST", "/api/v1/admin/products", `{"slug": "Bad Slug", "variants": []}`, []string{"Authorization", "Bearer " + adminToken}, 422, "slug"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := s.do(c.method, c.path, c.body, c.headers...)
			if r.Status != c.want {
				t.Fatalf("status %d, want %d: %s", r.Status, c.want, r.Body)
			}
			if ct := r.Header.Get("Content-Type"); ct != "application/problem+json" {
				t.Fatalf("content type %q, want application/problem+json", ct)
			}
			var p struct {
				Status int
				Title  string
				Errors []struct{ Name, Reason string }
			}
			r.decode(t, &p)
			if p.Status != c.want || p.Title == "" {
				t.Fatalf("problem document %s", r.Body)
			}
			if c.field != "" && !hasField(p.Errors, c.field) {
				t.Fatalf("problem does not name field %q: %s", c.field, r.Body)
			}
			if bytes.Contains(r.Body, []byte("sql")) || bytes.Contains(r.Body, []byte("goroutine")) {
				t.Fatalf("internal detail leaked: %s", r.Body)
			}
		})
	}
	if n := s.available(sku); n != 10 {
		t.Fatalf("stock after bad input = %d, want 10", n)
	}
	var c struct{ Items []struct{ Quantity int } }
	s.mustStatus(s.do("GET", "/api/v1/carts/"+cart, nil), http.StatusOK).decode(t, &c)
	if len(c.Items) != 1 || c.Items[0].Quantity != 1 {
		t.Fatalf("cart after bad input: %+v", c)
	}
	var orders struct{ Items []json.RawMessage }
	s.mustStatus(s.admin("GET", "/api/v1/admin/orders", nil), http.StatusOK).decode(t, &orders)
	if len(orders.Items) != 0 {
		t.Fatalf("orders after bad input: %d", len(orders.Items))
	}
}

func hasField(errs []struct{ Name, Reason string }, name string) bool {
	for _, e := range errs {
		if e.Name == name {
			return true
		}
	}
	return false
}
