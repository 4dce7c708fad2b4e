package app_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// FuzzAPIRequests throws arbitrary bodies, keys and paths at the write
// endpoints of a real shop (SQLite) in-process. Whatever arrives, the answer
// is never a 5xx, and every error is a problem document.
//
//	go test -run '^$' -fuzz FuzzAPIRequests -fuzztime 60s ./internal/app/
func FuzzAPIRequests(f *testing.F) {
	s := startShop(f, engines(nil)["sqlite"](f))
	p := s.addProduct("fuzz-ball", 999, 1000)
	sku := p.Variants[0].SKU
	cart := s.newCart(map[string]int{sku: 1})
	valid := `{"cart_id":"` + cart + `","email":"a@example.com","shipping_address":{"name":"A","line1":"1 St","city":"X","postal_code":"1","country":"US"},"payment":{"token":"tok_visa"}}`
	f.Add(uint8(0), "", valid, "key-1")
	f.Add(uint8(0), "", `{"cart_id": 5}`, "key-2")
	f.Add(uint8(0), "", `{"cart_id":"`+cart+`","email":"\u0000@x.y"}`, "k")
	f.Add(uint8(1), sku, `{"quantity": 3}`, "")
	f.Add(uint8(1), sku, `{"quantity": -3}`, "")
	f.Add(uint8(1), "../../etc", `{"quantity": 1e400}`, "")
	f.Add(uint8(2), sku, `{"available": 5}`, "")
	f.Add(uint8(3), "", `{"slug":"x","name":"y","category":"test","variants":[{"sku":"Z","name":"z","price":{"amount":1,"currency":"USD"}}]}`, "")
	f.Add(uint8(4), "q=%00&limit=7&cursor=cDE6MTA", "", "")
	h := s.app.Handler()
	f.Fuzz(func(t *testing.T, route uint8, arg, body, key string) {
		var method, target string
		switch route % 5 {
		case 0:
			method, target = "POST", "/api/v1/checkout"
		case 1:
			method, target = "PUT", "/api/v1/carts/"+cart+"/items/"+pathSafe(arg)
		case 2:
			method, target = "PUT", "/api/v1/admin/inventory/"+pathSafe(arg)
		case 3:
			method, target = "POST", "/api/v1/admin/products"
		case 4:
			method, target = "GET", "/api/v1/products?"+pathSafe(arg)
		}
		req := httptest.NewRequest(method, target, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+adminToken)
		if key != "" && !strings.ContainsAny(key, "\r\n\x00") {
			req.Header.Set("Idempotency-Key", key)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code >= 500 && rec.Code != http.StatusServiceUnavailable {
			t.Fatalf("%s %s %q: %d %s", method, target, body, rec.Code, rec.Body)
		}
		if rec.Code >= 400 && rec.Header().Get("Content-Type") != "application/problem+json" {
			t.Fatalf("%s %s: error %d is not problem+json: %s", method, target, rec.Code, rec.Body)
		}
	})
}

// pathSafe keeps fuzzed text usable inside a request target.
func pathSafe(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r > 0x20 && r < 0x7f && r != '#' && r != '?' && r != '%' {
			b.WriteRune(r)
		}
	}
	return b.String()
}
