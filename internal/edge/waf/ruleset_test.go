package waf

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
)

// Compiling the CRS takes about a second; tests share one per config.
var blockingRuleSet = sync.OnceValues(func() (*RuleSet, error) {
	return NewRuleSet(RuleSetConfig{Mode: ModeBlock, ExemptPaths: []string{"/healthz"}}, slog.New(slog.DiscardHandler))
})

func mustRuleSet(tb testing.TB) *RuleSet {
	tb.Helper()
	rs, err := blockingRuleSet()
	if err != nil {
		tb.Fatal(err)
	}
	return rs
}

// echoOrigin answers 200 with the body it received, so tests can check
// that inspected bodies still reach the origin intact.
var echoOrigin = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
	b, _ := io.ReadAll(r.Body)
	w.Write(b)
})

func browserRequest(method, target, body, contentType string) *http.Request {
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	r := httptest.NewRequest(method, target, rd)
	r.Host = "shop.test"
	r.Header.Set("User-Agent", "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0")
	r.Header.Set("Accept", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8")
	r.Header.Set("Accept-Language", "en-GB,en;q=0.5")
	r.Header.Set("Accept-Encoding", "gzip, deflate, br")
	r.Header.Set("X-Request-Id", "test-req-1")
	if contentType != "" {
		r.Header.Set("Content-Type", contentType)
	}
	return r
}

func TestRuleSetBlocksAttacks(t *testing.T) {
	h := mustRuleSet(t).Middleware(echoOrigin)
	tests := []struct {
		name string
		req  *http.Request
	}{
		{"sqli query", browserRequest("GET", "/search?q=1'+OR+'1'='1'--", "", "")},
		{"sqli union", browserRequest("GET", "/products?id=1+UNION+SELECT+password+FROM+users", "", "")},
		{"xss", browserRequest("GET", "/search?q=<script>alert(document.cookie)</script>", "", "")},
		{"path traversal", browserRequest("GET", "/static/..%2f..%2f..%2fetc%2fpasswd", "", "")},
		{"traversal param", browserRequest("GET", "/download?file=../../../../etc/passwd", "", "")},
		{"sqli in json", browserRequest("POST", "/api/v1/cart/items", `{"sku":"1' OR 1=1; DROP TABLE orders;--","qty":1}`, "application/json")},
		{"xss in form", browserRequest("POST", "/account/review", "text=%3Cimg+src%3Dx+onerror%3Dalert(1)%3E", "application/x-www-form-urlencoded")},
	}
	scanner := browserRequest("GET", "/", "", "")
	scanner.Header.Set("User-Agent", "sqlmap/1.7.2#stable (https://sqlmap.org)")
	tests = append(tests, struct {
		name string
		req  *http.Request
	}{"scanner user agent", scanner})
	nikto := browserRequest("GET", "/", "", "")
	nikto.Header.Set("User-Agent", "Mozilla/5.00 (Nikto/2.1.6) (Evasions:None) (Test:000001)")
	tests = append(tests, struct {
		name string
		req  *http.Request
	}{"nikto", nikto})
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, tc.req)
			if rec.Code != http.StatusForbidden {
				t.Fatalf("status %d, want 403", rec.Code)
			}
			if !strings.Contains(rec.Body.String(), "test-req-1") {
				t.Errorf("403 body lacks the request id: %q", rec.Body.String())
			}
		})
	}
}

func TestRuleSetPassesShopTraffic(t *testing.T) {
	h := mustRuleSet(t).Middleware(echoOrigin)
	api := func(method, target, body string) *http.Request {
		r := browserRequest(method, target, body, "application/json")
		r.Header.Set("Accept", "application/json")
		r.Header.Set("Idempotency-Key", "0b7c2e4a-1f2d-4c1e-9d0a-3a1b2c3d4e5f")
		r.Header.Set("Cookie", "sid=Zk9xR2lLb1hVa3p0; cart=c_01HZX")
		return r
	}
	tests := []struct {
		name string
		req  *http.Request
	}{
		{"home", browserRequest("GET", "/", "", "")},
		{"product", browserRequest("GET", "/products/42-mens-running-shoes?color=red&size=44", "", "")},
		{"category page", browserRequest("GET", "/c/shoes?sort=price_asc&page=2&utm_source=newsletter", "", "")},
		{"search", browserRequest("GET", "/search?q=women's+rain+jacket", "", "")},
		{"static", browserRequest("GET", "/static/app.3f2a1c.css", "", "")},
		{"signin form", browserRequest("POST", "/signin", "email=ann%40example.com&password=S3cure%21pass", "application/x-www-form-urlencoded")},
		{"api list", api("GET", "/api/v1/products?category=7&limit=20&cursor=eyJpZCI6NDJ9", "")},
		{"api add to cart", api("POST", "/api/v1/cart/items", `{"product_id":"prod_42","variant":"44-red","quantity":2}`)},
		{"api checkout", api("POST", "/api/v1/checkout", `{"cart_id":"c_01HZX","email":"ann.o'neil@example.com","shipping":{"name":"Ann O'Neil","line1":"12 Baker's Row, Flat 3","city":"London","postcode":"NW1 6XE","country":"GB"},"payment":{"method":"card","token":"tok_visa_4242"},"notes":"Leave at the door -- thanks! (ring twice)"}`)},
		{"api review", api("POST", "/api/v1/products/42/reviews", `{"rating":5,"title":"Best shoes I've owned","body":"Comfortable from day one; sizes run small, so order one up. Would buy again & recommend to anyone who runs 10k+ a week."}`)},
		{"api order update", api("PATCH", "/api/v1/orders/ord_123", `{"status":"cancelled","reason":"ordered the wrong size (44 instead of 45)"}`)},
		{"health", browserRequest("GET", "/healthz", "", "")},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			want := ""
			if tc.req.Body != nil {
				b, _ := io.ReadAll(tc.req.Body)
				want = string(b)
				tc.req.Body = io.NopCloser(strings.NewReader(want))
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, tc.req)
			if rec.Code != http.StatusOK {
				t.Fatalf("status %d, want 200 (blocks: %v)", rec.Code, mustRuleSet(t).Blocks())
			}
			if rec.Body.String() != want {
				t.Errorf("origin got body %q, want %q", rec.Body.String(), want)
			}
		})
	}
}

func TestDetectModeNeverBlocks(t *testing.T) {
	if testing.Short() {
		t.Skip("compiles a second rule set")
	}
	rs, err := NewRuleSet(RuleSetConfig{Mode: ModeDetect}, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	rec := httptest.NewRecorder()
	rs.Middleware(echoOrigin).ServeHTTP(rec, browserRequest("GET", "/search?q=1'+OR+'1'='1'--", "", ""))
	if rec.Code != http.StatusOK {
		t.Fatalf("detect mode blocked: %d", rec.Code)
	}
	if rs.Blocks()["detect:949110"] != 1 {
		t.Errorf("detection not counted: %v", rs.Blocks())
	}
}

func TestRuleSetConfigErrors(t *testing.T) {
	if _, err := NewRuleSet(RuleSetConfig{Paranoia: 5}, slog.New(slog.DiscardHandler)); err == nil {
		t.Error("paranoia 5 accepted")
	}
	if _, err := ParseMode("maybe"); err == nil {
		t.Error("bad mode accepted")
	}
	rs, err := NewRuleSet(RuleSetConfig{Mode: ModeOff}, slog.New(slog.DiscardHandler))
	if err != nil || rs.Middleware(echoOrigin) == nil {
		t.Fatal(err)
	}
}

func TestExclusionsStopAPIMisfiresAtParanoia2(t *testing.T) {
	if testing.Short() {
		t.Skip("compiles two rule sets")
	}
	checkout := func() *http.Request {
		r := browserRequest("POST", "/api/v1/checkout", `{"email":"ann.o'neil@example.com","shipping":{"name":"Ann O'Neil","line1":"12 Baker's Row, Flat 3"},"notes":"Leave at the door -- thanks! (ring twice)"}`, "application/json")
		r.Header.Set("Accept", "application/json")
		return r
	}
	tests := []struct {
		name       string
		exclusions []Exclusion
		want       int
	}{
		{"without exclusions the CRS misfires", []Exclusion{}, http.StatusForbidden},
		{"default exclusions let it through", nil, http.StatusOK},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rs, err := NewRuleSet(RuleSetConfig{Mode: ModeBlock, Paranoia: 2, Exclusions: tc.exclusions}, slog.New(slog.DiscardHandler))
			if err != nil {
				t.Fatal(err)
			}
			rec := httptest.NewRecorder()
			rs.Middleware(echoOrigin).ServeHTTP(rec, checkout())
			if rec.Code != tc.want {
				t.Errorf("status %d, want %d", rec.Code, tc.want)
			}
		})
	}
}

func TestOversizedBodyRefused(t *testing.T) {
	rec := httptest.NewRecorder()
	big := `{"notes":"` + strings.Repeat("a", 40<<10) + `"}`
	mustRuleSet(t).Middleware(echoOrigin).ServeHTTP(rec, browserRequest("POST", "/api/v1/checkout", big, "application/json"))
	if rec.Code != http.StatusRequestEntityTooLarge {
		t.Errorf("status %d, want 413", rec.Code)
	}
}
