package loadgen_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/peakshop/peakshop/internal/app"
	"github.com/peakshop/peakshop/internal/domain/catalog"
	"github.com/peakshop/peakshop/internal/domain/money"
	"github.com/peakshop/peakshop/internal/loadgen"
	"github.com/peakshop/peakshop/internal/loadgen/report"
)

// startShop starts the whole shop on a loopback port, the way
// internal/app's end-to-end tests do, with a small catalog, and returns its
// base URL. The catalog goes in through the store, as the demo seed's does:
// the full demo catalog takes 15 s to seed under -race on a busy machine,
// and this is fixture setup, not traffic (the generator itself only talks
// HTTP, which internal/archtest checks).
func startShop(tb testing.TB) string {
	tb.Helper()
	cfg := app.DefaultConfig()
	cfg.Addr = "127.0.0.1:0"
	cfg.DataDir = tb.TempDir()
	cfg.DB = "sqlite:" + filepath.Join(cfg.DataDir, "shop.db")
	cfg.Demo = false
	cfg.AdminToken = "load-test-admin-token"
	cfg.ShutdownTimeout = 5 * time.Second
	ctx, cancel := context.WithCancel(context.Background())
	a, err := app.New(ctx, cfg, quietLogger(), io.Discard)
	if err != nil {
		cancel()
		tb.Fatalf("start shop: %v", err)
	}
	cats, products := smallCatalog()
	if err := a.Store.ImportCatalog(ctx, cats, products); err != nil {
		cancel()
		tb.Fatalf("seed: %v", err)
	}
	done := make(chan error, 1)
	go func() { done <- a.Run(ctx) }()
	tb.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			tb.Errorf("shop stopped with: %v", err)
		}
	})
	return "http://" + a.Addr()
}

// smallCatalog is 2 categories of 10 products, 3 sizes each, well stocked.
func smallCatalog() ([]catalog.Category, []catalog.Draft) {
	cats := []catalog.Category{{Slug: "coats", Name: "Coats"}, {Slug: "shoes", Name: "Shoes"}}
	var ps []catalog.Draft
	for i := range 20 {
		c := cats[i%2]
		d := catalog.Draft{Slug: fmt.Sprintf("%s-%d", c.Slug, i), Name: fmt.Sprintf("%s %d", c.Name, i),
			Description: "load test product", Category: c.Slug}
		for _, size := range []string{"S", "M", "L"} {
			n := 1000
			d.Variants = append(d.Variants, catalog.VariantDraft{SKU: fmt.Sprintf("LT-%02d-%s", i, size), Name: size,
				Price: money.Money{Amount: int64(1000 + 100*i), Currency: "USD"}, Available: &n})
		}
		ps = append(ps, d)
	}
	return cats, ps
}

func quietLogger() *slog.Logger {
	if testing.Verbose() {
		return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	}
	return slog.New(slog.NewTextHandler(io.Discard, nil))
}

// shortScenario is two seconds of arrivals, with journeys that reach
// checkout often. The graceful stop is long so that every journey finishes
// however slow the machine (the drain ends as soon as they have): the test
// counts orders, it does not time them.
func shortScenario(tb testing.TB) *loadgen.Scenario {
	tb.Helper()
	s, err := loadgen.ParseScenario(strings.NewReader(`{
	  "name": "test",
	  "profile": {"kind": "constant", "rate": 15},
	  "duration": "2s",
	  "max_requests": 5000,
	  "max_shoppers": 200,
	  "think_time": {"min": "1ms", "max": "10ms"},
	  "graceful_stop": "30s",
	  "request_timeout": "20s",
	  "journeys": [
	    {"name": "buyer", "weight": 6, "steps": ["product", "add_to_cart", "checkout"]},
	    {"name": "abandoner", "weight": 2, "steps": ["product", "add_to_cart", "abandon"]},
	    {"name": "browser", "weight": 2, "steps": ["home", "category", "search", "product"]}
	  ],
	  "decline_share": 0.3,
	  "hostile": {"share": 0.1, "scraper": 1, "credential_stuffing": 1, "injection": 1, "burst": 5},
	  "slo": {"p99": {"home": "30s", "checkout": "30s"}, "max_error_rate": 0.05}
	}`))
	if err != nil {
		tb.Fatal(err)
	}
	return s
}

func TestRunAgainstShop(t *testing.T) {
	began := time.Now()
	base := startShop(t)
	t.Logf("shop up after %v", time.Since(began).Round(time.Millisecond))
	sc := shortScenario(t)
	prof, err := sc.Profile.Build(sc.Duration.D(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := loadgen.CheckTarget(context.Background(), base, false); err != nil {
		t.Fatal(err)
	}
	res, err := loadgen.Run(context.Background(), loadgen.Config{Target: base, Scenario: sc, Profile: prof, Logger: quietLogger(), Seed: 42})
	if err != nil {
		t.Fatal(err)
	}
	f := res.Funnel
	t.Logf("run took %.1fs", res.Seconds)
	t.Logf("%d requests, %d hostile, funnel %+v, errors %v, statuses %v", res.Requests, res.HostileRequests, f, res.Errors, res.Statuses)
	if f.Orders == 0 || f.Carts == 0 || res.Requests == 0 {
		t.Fatalf("no orders placed: funnel %+v", f)
	}
	if f.Attempts != f.Orders+f.Declines+f.OutOfStock+f.Failed {
		t.Errorf("checkouts do not add up: %+v", f)
	}
	if !(f.Sessions >= f.Carts && f.Carts >= f.Attempts && f.Carts >= f.Abandoned) {
		t.Errorf("funnel narrows the wrong way: %+v", f)
	}
	if f.Sessions+f.HostileSessions != res.Arrivals {
		t.Errorf("%d sessions + %d hostile != %d arrivals", f.Sessions, f.HostileSessions, res.Arrivals)
	}
	if res.Steps["checkout"].Count != f.Attempts {
		t.Errorf("checkout latency has %d samples for %d attempts", res.Steps["checkout"].Count, f.Attempts)
	}
	if res.HostileRequests == 0 || res.Errors[loadgen.ErrStatus5xx] > 0 {
		t.Errorf("hostile %d, server errors %d", res.HostileRequests, res.Errors[loadgen.ErrStatus5xx])
	}
	if err := res.Missed(); err != nil {
		t.Errorf("lenient SLOs missed: %v", err)
	}
	// The same measurements against objectives nobody can meet.
	strict := sc.SLO
	strict.P99 = map[string]loadgen.Duration{"home": loadgen.Duration(time.Nanosecond)}
	strict.MinOrdersPerMinute = 1e9
	res.Judge(strict)
	err = res.Missed()
	if err == nil || !strings.Contains(err.Error(), "p99 home") || !strings.Contains(err.Error(), "orders per minute") {
		t.Fatalf("strict SLOs: %v", err)
	}
	dir := t.TempDir()
	writeReports(t, dir, res)
	openReport(t, filepath.Join(dir, "report.html"))
}

func writeReports(t *testing.T, dir string, res *loadgen.Result) {
	t.Helper()
	for name, render := range map[string]func(io.Writer) error{
		"results.json": res.WriteJSON,
		"report.html":  func(w io.Writer) error { return report.Write(w, res) },
	} {
		f, err := os.Create(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		if err := render(f); err != nil {
			t.Fatal(err)
		}
		if err := f.Close(); err != nil {
			t.Fatal(err)
		}
	}
	html, err := os.ReadFile(filepath.Join(dir, "report.html"))
	if err != nil {
		t.Fatal(err)
	}
	// The target URL appears as text; nothing may be loaded from anywhere.
	for _, bad := range []string{`src="http`, `href="http`, "<link", "@import", "url(http"} {
		if strings.Contains(string(html), bad) {
			t.Errorf("report refers to an outside resource (%q)", bad)
		}
	}
}
