package web_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/peakshop/peakshop/internal/app"
	"github.com/peakshop/peakshop/internal/domain/catalog"
	"github.com/peakshop/peakshop/internal/domain/money"
)

// shop is the whole peakshop started through app.New on a loopback port,
// with a small catalog: the storefront is tested through the real wiring.
type shop struct {
	t    testing.TB
	app  *app.App
	base string
}

func intp(n int) *int { return &n }

func usd(a int64) money.Money { return money.Money{Amount: a, Currency: "USD"} }

// testCatalog has a product with a low-stock and a sold-out variant, so
// badges and refusals show.
func testCatalog() ([]catalog.Category, []catalog.Draft) {
	return []catalog.Category{{Slug: "hats", Name: "Hats"}, {Slug: "shoes", Name: "Shoes"}},
		[]catalog.Draft{
			{Slug: "wool-beanie", Name: "Wool Beanie", Description: "Warm & soft <b>knit</b>.", Category: "hats",
				Images: []string{"/images/products/wool-beanie-1.png"},
				Variants: []catalog.VariantDraft{
					{SKU: "WB-GREY", Name: "Grey", Price: usd(1999), Available: intp(3)},
					{SKU: "WB-RED", Name: "Red", Price: usd(2499), Available: intp(0)}}},
			{Slug: "trail-runner", Name: "Trail Runner", Description: "Grippy soles for muddy trails.", Category: "shoes",
				Images:   []string{"/images/products/trail-runner-1.png", "/images/products/trail-runner-2.png"},
				Variants: []catalog.VariantDraft{{SKU: "TR-42", Name: "EU 42", Price: usd(8999), Available: intp(10)}}},
			{Slug: "sun-hat", Name: "Sun Hat", Description: "Wide brim.", Category: "hats",
				Images:   []string{"/images/products/sun-hat-1.png"},
				Variants: []catalog.VariantDraft{{SKU: "SH-1", Name: "Straw", Price: usd(2999), Available: intp(50)}}},
		}
}

func startShop(tb testing.TB) *shop {
	tb.Helper()
	return startShopWith(tb, nil)
}

// startShopWith lets a test set the page cache TTL in seconds (0: off).
func startShopWith(tb testing.TB, tweak func(cacheSeconds *int)) *shop {
	tb.Helper()
	cfg := app.DefaultConfig()
	cfg.Addr = "127.0.0.1:0"
	cfg.DataDir = tb.TempDir()
	cfg.DB = "sqlite:" + cfg.DataDir + "/shop.db"
	cfg.Demo = false
	cfg.AdminToken = "test-admin-token"
	cfg.ShutdownTimeout = 5 * time.Second
	// The storefront itself, with its own headers (the edge strips
	// Surrogate-Key); app's edge tests cover the shop behind its edge.
	cfg.Edge.On = false
	ttl := 0 // tests change stock and look at once
	if tweak != nil {
		tweak(&ttl)
	}
	cfg.ProductCacheTTL = time.Duration(ttl) * time.Second
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	if testing.Verbose() {
		logger = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	}
	ctx, cancel := context.WithCancel(context.Background())
	a, err := app.New(ctx, cfg, logger, io.Discard)
	if err != nil {
		cancel()
		tb.Fatalf("start shop: %v", err)
	}
	cats, drafts := testCatalog()
	if err := a.Store.ImportCatalog(ctx, cats, drafts); err != nil {
		cancel()
		tb.Fatalf("import catalog: %v", err)
	}
	done := make(chan error, 1)
	go func() { done <- a.Run(ctx) }()
	tb.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			tb.Errorf("shop stopped with: %v", err)
		}
	})
	return &shop{t: tb, app: a, base: "http://" + a.Addr()}
}

// browser is an HTTP client with a cookie jar that does not follow
// redirects, so tests see the 303s.
type browser struct {
	t      testing.TB
	base   string
	client *http.Client
}

func (s *shop) browser() *browser {
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, Timeout: 30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	s.t.Cleanup(c.CloseIdleConnections)
	return &browser{t: s.t, base: s.base, client: c}
}

type page struct {
	Status int
	Header http.Header
	Body   string
}

func (b *browser) do(req *http.Request) page {
	b.t.Helper()
	res, err := b.client.Do(req)
	if err != nil {
		b.t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		b.t.Fatalf("read %s: %v", req.URL, err)
	}
	return page{Status: res.StatusCode, Header: res.Header, Body: string(body)}
}

func (b *browser) get(path string, header ...string) page {
	b.t.Helper()
	req, err := http.NewRequest("GET", b.base+path, nil)
	if err != nil {
		b.t.Fatal(err)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	return b.do(req)
}

func (b *browser) post(path string, form url.Values, header ...string) page {
	b.t.Helper()
	req, err := http.NewRequest("POST", b.base+path, strings.NewReader(form.Encode()))
	if err != nil {
		b.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	return b.do(req)
}

var (
	csrfRe = regexp.MustCompile(`name="csrf" value="([^"]+)"`)
	keyRe  = regexp.MustCompile(`name="key" value="([^"]+)"`)
)

// form returns the hidden CSRF token (and checkout key) of a page's forms.
func (b *browser) form(path string) url.Values {
	b.t.Helper()
	p := b.get(path)
	m := csrfRe.FindStringSubmatch(p.Body)
	if m == nil {
		b.t.Fatalf("GET %s (%d) has no CSRF field:\n%s", path, p.Status, p.Body)
	}
	v := url.Values{"csrf": {m[1]}}
	if k := keyRe.FindStringSubmatch(p.Body); k != nil {
		v.Set("key", k[1])
	}
	return v
}

func wantStatus(tb testing.TB, p page, want int, what string) {
	tb.Helper()
	if p.Status != want {
		tb.Fatalf("%s: status %d, want %d\n%s", what, p.Status, want, p.Body)
	}
}

func wantContains(tb testing.TB, p page, what string, parts ...string) {
	tb.Helper()
	for _, s := range parts {
		if !strings.Contains(p.Body, s) {
			tb.Fatalf("%s: page lacks %q\n%s", what, s, p.Body)
		}
	}
}

func checkoutForm(b *browser, token string) url.Values {
	f := b.form("/checkout")
	f.Set("email", "ada@example.com")
	f.Set("name", "Ada Lovelace")
	f.Set("line1", "1 Main St")
	f.Set("city", "Springfield")
	f.Set("postal_code", "12345")
	f.Set("country", "US")
	f.Set("token", token)
	return f
}

func mustURL(tb testing.TB, s string) *url.URL {
	tb.Helper()
	u, err := url.Parse(s)
	if err != nil {
		tb.Fatal(err)
	}
	return u
}
