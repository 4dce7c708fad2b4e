package web_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// FuzzStorefront sends any path, query string and form body to every
// storefront route, as a guest and with a session, and requires an answer
// other than 500: bad input is the shopper's problem to be told about, never
// a crash. The seeds run with every `go test`; `go test -fuzz
// FuzzStorefront ./internal/web` explores further.
func FuzzStorefront(f *testing.F) {
	s := startShop(f)
	h := s.app.Handler()
	// A real session cookie, so session pages run their full paths.
	b := s.browser()
	b.post("/cart/items", map[string][]string{"sku": {"SH-1"}})
	csrf := b.form("/cart").Get("csrf")
	var cookies []string
	for _, c := range b.client.Jar.Cookies(mustURL(f, s.base+"/")) {
		cookies = append(cookies, c.Name+"="+c.Value)
	}
	cookie := strings.Join(cookies, "; ")

	paths := []string{"/", "/c/hats", "/search", "/products/wool-beanie", "/products/wool-beanie/stock", "/cart", "/cart/items",
		"/cart/items/SH-1", "/checkout", "/account", "/account/signin", "/account/signup", "/account/signout",
		"/orders/ord_01ARZ3NDEKTSV4RRFFQ69G5FAV", "/orders/ord_01ARZ3NDEKTSV4RRFFQ69G5FAV/events", "/static/x.css"}
	for i := range paths {
		f.Add(uint8(i), "", "", false)
		f.Add(uint8(i), "q=%ff%00&after=-1&min=1e99&max=..&in_stock=2", "sku=%00&quantity=-1&csrf=x", true)
		f.Add(uint8(i), "q="+strings.Repeat("é", 300), "email=a@b.c&password="+strings.Repeat("x", 5000)+"&csrf="+csrf, true)
		f.Add(uint8(i), "next=//evil.example", "key=%ff&token=tok_visa&country=US&csrf="+csrf+"&quantity=99999999999999999999", true)
	}
	f.Fuzz(func(t *testing.T, route uint8, query, body string, withSession bool) {
		for _, method := range []string{"GET", "POST"} {
			target := paths[int(route)%len(paths)]
			req := httptest.NewRequest(method, "http://shop.test/", strings.NewReader(body))
			req.URL.Path = target
			req.URL.RawQuery = query
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			if withSession {
				req.Header.Set("Cookie", cookie)
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code >= 500 && rec.Code != http.StatusServiceUnavailable {
				t.Fatalf("%s %s?%q body %q: status %d\n%s", method, target, query, body, rec.Code, rec.Body.String())
			}
		}
	})
}
