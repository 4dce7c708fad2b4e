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
		f.Add(uint8(i), "coupon=%ff"+strings.Repeat("z", 100), "coupon=<b>x</b>&token=tok_visa&csrf="+csrf, true)
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

// FuzzAdminForms sends any query and form body, with the administrator's
// valid CSRF token or without, to the console's form handlers (products,
// publishing, the sale scheduler): never a 500, and never a change from a
// body without the token.
func FuzzAdminForms(f *testing.F) {
	s := startShop(f)
	h := s.app.Handler()
	b := adminBrowser(f, s, "fuzz@example.com")
	csrf := b.form("/admin/schedule").Get("csrf")
	var cookies []string
	for _, c := range b.client.Jar.Cookies(mustURL(f, s.base+"/")) {
		cookies = append(cookies, c.Name+"="+c.Value)
	}
	cookie := strings.Join(cookies, "; ")
	id := s.productID("wool-beanie")
	paths := []string{"/admin/schedule", "/admin/schedule/1/cancel", "/admin/schedule/x/cancel", "/admin/products/" + id + "/publish",
		"/admin/products", "/admin/products/" + id, "/admin/products/999999/publish", "/admin/inventory/SH-1"}
	for i := range paths {
		f.Add(uint8(i), "", "csrf="+csrf)
		f.Add(uint8(i), "product=%ff&kind=launch&saved=x", "csrf="+csrf+"&kind=price&product=-1&price=1e99&due_at=9999-99-99T99:99&revert_at=%00")
		f.Add(uint8(i), "", "csrf="+csrf+"&kind=launch&product=99999999999999999999&due_at=2026-11-27 18:00:00 UTC&published=1")
		f.Add(uint8(i), "", "csrf="+csrf+"&has_published=1&published=0&slug=x&v_sku=A&v_name=B&v_price=1")
		f.Add(uint8(i), "", "kind=price&product=1&price=1&due_at=2030-01-01T00:00")
	}
	f.Fuzz(func(t *testing.T, route uint8, query, body string) {
		for _, method := range []string{"GET", "POST"} {
			target := paths[int(route)%len(paths)]
			req := httptest.NewRequest(method, "http://shop.test/", strings.NewReader(body))
			req.URL.Path = target
			req.URL.RawQuery = query
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.Header.Set("Cookie", cookie)
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code >= 500 && rec.Code != http.StatusServiceUnavailable {
				t.Fatalf("%s %s?%q body %q: status %d\n%s", method, target, query, body, rec.Code, rec.Body.String())
			}
		}
	})
}
