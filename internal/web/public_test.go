package web_test

import (
	"encoding/json"
	"net/http"
	"regexp"
	"strings"
	"testing"
)

func TestPublicPagesAreCacheable(t *testing.T) {
	s := startShop(t)
	b := s.browser()
	cases := []struct {
		path  string
		keys  []string
		parts []string
	}{
		{"/", []string{"home", "category-"}, []string{"Hats", "Wool Beanie"}},
		{"/c/hats", []string{"category-", "product-"}, []string{"Wool Beanie", "Sun Hat"}},
		{"/c/hats?in_stock=1&max=25", []string{"category-"}, []string{"Wool Beanie"}},
		{"/search?q=trail", []string{"search", "product-"}, []string{"Trail Runner"}},
		{"/search", []string{"search"}, []string{"Or browse a category"}},
		{"/products/wool-beanie", []string{"product-", "category-"}, []string{"Only 3 left", "Out of stock", "$19.99", "application/ld+json"}},
	}
	for _, c := range cases {
		t.Run(c.path, func(t *testing.T) {
			p := b.get(c.path)
			wantStatus(t, p, 200, c.path)
			wantContains(t, p, c.path, c.parts...)
			if cc := p.Header.Get("Cache-Control"); !strings.HasPrefix(cc, "public") {
				t.Errorf("Cache-Control = %q, want public", cc)
			}
			if p.Header.Get("Set-Cookie") != "" {
				t.Error("a public page sets a cookie: a shared cache would hand it to everyone")
			}
			for _, k := range c.keys {
				if !strings.Contains(p.Header.Get("Surrogate-Key"), k) {
					t.Errorf("Surrogate-Key %q lacks %q", p.Header.Get("Surrogate-Key"), k)
				}
			}
			etag := p.Header.Get("ETag")
			if etag == "" {
				t.Fatal("no ETag")
			}
			if again := b.get(c.path, "If-None-Match", etag); again.Status != http.StatusNotModified {
				t.Errorf("If-None-Match answered %d, want 304", again.Status)
			}
		})
	}
}

func TestFiltersAndSearchNarrow(t *testing.T) {
	b := startShop(t).browser()
	p := b.get("/c/hats?max=25")
	if strings.Contains(p.Body, "Sun Hat") || !strings.Contains(p.Body, "Wool Beanie") {
		t.Errorf("max=25 should keep the beanie ($19.99) and drop the sun hat ($29.99)")
	}
	p = b.get("/c/hats?min=abc")
	wantStatus(t, p, 200, "bad price")
	wantContains(t, p, "bad price", "Enter a price such as 20", `aria-invalid="true"`, `value="abc"`)
	p = b.get("/search?q=%25")
	wantContains(t, p, "percent search", "No products match")
}

func TestProductJSONLD(t *testing.T) {
	b := startShop(t).browser()
	p := b.get("/products/wool-beanie")
	m := regexp.MustCompile(`(?s)<script type="application/ld\+json">(.*?)</script>`).FindStringSubmatch(p.Body)
	if m == nil {
		t.Fatal("no JSON-LD")
	}
	var ld struct {
		Type   string `json:"@type"`
		Name   string `json:"name"`
		Desc   string `json:"description"`
		Offers []struct {
			SKU, Price, PriceCurrency, Availability string
		} `json:"offers"`
	}
	if err := json.Unmarshal([]byte(m[1]), &ld); err != nil {
		t.Fatalf("JSON-LD does not parse: %v\n%s", err, m[1])
	}
	if ld.Type != "Product" || ld.Name != "Wool Beanie" || ld.Desc != "Warm & soft <b>knit</b>." || len(ld.Offers) != 2 ||
		ld.Offers[0].Price != "19.99" || ld.Offers[0].PriceCurrency != "USD" || !strings.HasSuffix(ld.Offers[1].Availability, "OutOfStock") {
		t.Errorf("JSON-LD = %+v", ld)
	}
	if strings.Contains(m[1], "<b>") {
		t.Error("JSON-LD carries raw markup that could close the script element")
	}
}

func TestStockFragment(t *testing.T) {
	b := startShop(t).browser()
	p := b.get("/products/wool-beanie/stock")
	wantStatus(t, p, 200, "stock fragment")
	wantContains(t, p, "stock fragment", `id="stock-0"`, `hx-swap-oob="true"`, "Only 3 left", "Out of stock")
}

func TestNotFoundIsHelpful(t *testing.T) {
	b := startShop(t).browser()
	for _, path := range []string{"/nope", "/products/no-such-thing", "/products/UPPER", "/c/nope", "/orders/ord_bad",
		"/orders/ord_01ARZ3NDEKTSV4RRFFQ69G5FAV", "/static/site.css", "/c/"} {
		p := b.get(path)
		if path == "/static/site.css" {
			wantStatus(t, p, 404, path)
			continue
		}
		wantStatus(t, p, 404, path)
		wantContains(t, p, path, "We could not find that page", `action="/search"`, "/c/hats")
	}
}

func TestStaticAssets(t *testing.T) {
	b := startShop(t).browser()
	home := b.get("/")
	total := len(home.Body)
	for _, m := range regexp.MustCompile(`(?:href|src)="(/static/[^"]+)"`).FindAllStringSubmatch(home.Body, -1) {
		p := b.get(m[1], "Accept-Encoding", "identity")
		wantStatus(t, p, 200, m[1])
		if cc := p.Header.Get("Cache-Control"); cc != "public, max-age=31536000, immutable" {
			t.Errorf("%s Cache-Control = %q", m[1], cc)
		}
		total += len(p.Body)
		gz := b.get(m[1], "Accept-Encoding", "gzip")
		if gz.Header.Get("Content-Encoding") != "gzip" || len(gz.Body) >= len(p.Body) {
			t.Errorf("%s: no smaller gzip variant", m[1])
		}
	}
	if total > 100<<10 {
		t.Errorf("home page weighs %d bytes before images, want under 100 KB", total)
	}
}
