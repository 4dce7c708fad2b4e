package app_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/peakshop/peakshop/internal/app"
	"github.com/peakshop/peakshop/internal/domain/catalog"
	"github.com/peakshop/peakshop/internal/domain/money"
	"github.com/peakshop/peakshop/internal/storage/storetest"
)

const adminToken = "test-admin-token"

// shop is a whole peakshop started through app.New on a loopback port.
type shop struct {
	t      testing.TB
	app    *app.App
	base   string
	client *http.Client
}

// engines lists the databases end-to-end tests run on: SQLite always,
// PostgreSQL when PEAKSHOP_TEST_POSTGRES is set.
func engines(*testing.T) map[string]func(testing.TB) string {
	e := map[string]func(testing.TB) string{
		"sqlite": func(tb testing.TB) string { return "sqlite:" + tb.TempDir() + "/shop.db" },
	}
	if pg := os.Getenv("PEAKSHOP_TEST_POSTGRES"); pg != "" {
		e["postgres"] = func(tb testing.TB) string { return storetest.SchemaURL(tb, pg, "e2e_") }
	}
	return e
}

func startShop(tb testing.TB, dsn string, tweak ...func(*app.Config)) *shop {
	tb.Helper()
	cfg := app.DefaultConfig()
	cfg.Addr = "127.0.0.1:0"
	cfg.DataDir = tb.TempDir()
	cfg.DB = dsn
	cfg.Demo = false
	// These tests drive the shop itself, 1,000 buyers from one loopback
	// address; edge_test.go covers the shop behind its in-process edge.
	cfg.Edge.On = false
	cfg.AdminToken = adminToken
	cfg.ShutdownTimeout = 5 * time.Second
	for _, f := range tweak {
		f(&cfg)
	}
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
	if err := a.Store.ImportCatalog(ctx, []catalog.Category{{Slug: "test", Name: "Test"}}, nil); err != nil {
		cancel()
		tb.Fatalf("add test category: %v", err)
	}
	done := make(chan error, 1)
	go func() { done <- a.Run(ctx) }()
	tb.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			tb.Errorf("shop stopped with: %v", err)
		}
	})
	tr := &http.Transport{MaxIdleConns: 2000, MaxIdleConnsPerHost: 2000, IdleConnTimeout: 30 * time.Second}
	tb.Cleanup(tr.CloseIdleConnections)
	return &shop{t: tb, app: a, base: "http://" + a.Addr(), client: &http.Client{Transport: tr, Timeout: 60 * time.Second}}
}

// response is a finished HTTP exchange.
type response struct {
	Status int
	Header http.Header
	Body   []byte
}

func (r response) decode(tb testing.TB, v any) {
	tb.Helper()
	if err := json.Unmarshal(r.Body, v); err != nil {
		tb.Fatalf("decode %s: %v", r.Body, err)
	}
}

func (s *shop) do(method, path string, body any, headers ...string) response {
	s.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	case []byte:
		rd = bytes.NewReader(b)
	default:
		j, err := json.Marshal(b)
		if err != nil {
			s.t.Fatal(err)
		}
		rd = bytes.NewReader(j)
	}
	req, err := http.NewRequest(method, s.base+path, rd)
	if err != nil {
		s.t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	res, err := s.client.Do(req)
	if err != nil {
		s.t.Errorf("%s %s: %v", method, path, err)
		return response{}
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		s.t.Errorf("%s %s: read body: %v", method, path, err)
	}
	return response{Status: res.StatusCode, Header: res.Header, Body: b}
}

func (s *shop) admin(method, path string, body any) response {
	s.t.Helper()
	return s.do(method, path, body, "Authorization", "Bearer "+adminToken)
}

func (s *shop) mustStatus(r response, want int) response {
	s.t.Helper()
	if r.Status != want {
		s.t.Fatalf("status %d, want %d: %s", r.Status, want, r.Body)
	}
	return r
}

// addProduct creates a product with one SKU per stock level given.
func (s *shop) addProduct(slug string, price int64, stock ...int) catalog.Product {
	s.t.Helper()
	d := catalog.Draft{Slug: slug, Name: "Product " + slug, Description: "test product", Category: "test"}
	for i, n := range stock {
		n := n
		d.Variants = append(d.Variants, catalog.VariantDraft{SKU: fmt.Sprintf("%s-%d", strings.ToUpper(slug), i), Name: fmt.Sprintf("v%d", i), Price: money.Money{Amount: price, Currency: "USD"}, Available: &n})
	}
	var p catalog.Product
	s.mustStatus(s.admin("POST", "/api/v1/admin/products", d), http.StatusCreated).decode(s.t, &p)
	return p
}

func (s *shop) newCart(items map[string]int) string {
	s.t.Helper()
	var c struct{ ID string }
	s.mustStatus(s.do("POST", "/api/v1/carts", nil), http.StatusCreated).decode(s.t, &c)
	for sku, q := range items {
		s.mustStatus(s.do("PUT", "/api/v1/carts/"+c.ID+"/items/"+sku, map[string]int{"quantity": q}), http.StatusOK)
	}
	return c.ID
}

func checkoutBody(cartID, token string) map[string]any {
	return map[string]any{
		"cart_id": cartID, "email": "shopper@example.com",
		"shipping_address": map[string]string{"name": "Ada Shopper", "line1": "1 Main St", "city": "Springfield", "postal_code": "12345", "country": "US"},
		"payment":          map[string]string{"token": token},
	}
}

func (s *shop) available(sku string) int {
	s.t.Helper()
	n, err := s.app.Store.StockOf(context.Background(), sku)
	if err != nil {
		s.t.Fatalf("stock of %s: %v", sku, err)
	}
	return n
}

// parallel runs f(i) for i in [0,n) all at once and waits.
func parallel(n int, f func(i int)) {
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			<-start
			f(i)
		}(i)
	}
	close(start)
	wg.Wait()
}
