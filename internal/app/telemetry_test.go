package app_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/peakshop/peakshop/internal/app"
	"github.com/peakshop/peakshop/internal/domain/catalog"
)

// syncBuffer is a bytes.Buffer safe for the logger and the test at once.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// observedShop is a shop whose logs are kept (debug level) and which can be
// stopped before the test ends, so exported spans are flushed.
type observedShop struct {
	*shop
	logs *syncBuffer
	stop func()
}

func startObservedShop(t *testing.T, tweak ...func(*app.Config)) *observedShop {
	t.Helper()
	cfg := app.DefaultConfig()
	cfg.Addr = "127.0.0.1:0"
	cfg.DataDir = t.TempDir()
	cfg.DB = "sqlite:" + cfg.DataDir + "/shop.db"
	cfg.Demo = false
	cfg.AdminToken = adminToken
	cfg.ShutdownTimeout = 5 * time.Second
	cfg.Telemetry.ConsoleInterval = 200 * time.Millisecond
	cfg.Edge.On = false               // the shop's own figures, without the edge's cache in front
	cfg.ProductCacheTTL = time.Minute // hit counts must not depend on how slow the machine is
	for _, f := range tweak {
		f(&cfg)
	}
	logs := &syncBuffer{}
	logger := slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	ctx, cancel := context.WithCancel(context.Background())
	a, err := app.New(ctx, cfg, logger, io.Discard)
	if err != nil {
		cancel()
		t.Fatalf("start shop: %v", err)
	}
	if err := a.Store.ImportCatalog(ctx, []catalog.Category{{Slug: "test", Name: "Test"}}, nil); err != nil {
		cancel()
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- a.Run(ctx) }()
	var once sync.Once
	stop := func() {
		once.Do(func() {
			cancel()
			if err := <-done; err != nil {
				t.Errorf("shop stopped with: %v", err)
			}
		})
	}
	t.Cleanup(stop)
	tr := &http.Transport{}
	t.Cleanup(tr.CloseIdleConnections)
	s := &shop{t: t, app: a, base: "http://" + a.Addr(), client: &http.Client{Transport: tr, Timeout: 30 * time.Second}}
	return &observedShop{shop: s, logs: logs, stop: stop}
}

// collector is a stand-in OTLP/HTTP receiver that keeps every body.
type collector struct {
	mu     sync.Mutex
	bodies [][]byte
	srv    *httptest.Server
}

func newCollector(t *testing.T) *collector {
	c := &collector{}
	c.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		c.mu.Lock()
		c.bodies = append(c.bodies, b)
		c.mu.Unlock()
		w.Header().Set("Content-Type", "application/x-protobuf")
	}))
	t.Cleanup(c.srv.Close)
	return c
}

func (c *collector) all() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return string(bytes.Join(c.bodies, nil))
}

// TestTelemetryCarriesNoPersonalData runs checkouts (paid, declined,
// invalid) through the real shop with OTLP export on, then searches every
// exit (OTLP bodies, the console's traces, logs, /metrics) for the
// shopper's e-mail, name, address, card token, the order access token and
// the admin token.
func TestTelemetryCarriesNoPersonalData(t *testing.T) {
	otlp := newCollector(t)
	var dataDir string
	s := startObservedShop(t, withPipeline, func(c *app.Config) { c.Telemetry.OTLPEndpoint, dataDir = otlp.srv.URL, c.DataDir })
	p := s.addProduct("private", 2500, 10)
	const (
		email   = "ada.lovelace@example.org"
		name    = "Ada Lovelace"
		street  = "12 Analytical Engine Lane"
		declTok = "tok_chargeDeclined"
	)
	body := func(cart, token string) map[string]any {
		return map[string]any{"cart_id": cart, "email": email,
			"shipping_address": map[string]string{"name": name, "line1": street, "city": "Marylebone", "postal_code": "NW1 1AA", "country": "GB"},
			"payment":          map[string]string{"token": token}}
	}
	var created struct {
		OrderID     string `json:"order_id"`
		AccessToken string `json:"access_token"`
	}
	s.mustStatus(s.do("POST", "/api/v1/checkout", body(s.newCart(map[string]int{p.Variants[0].SKU: 1}), "tok_visa"), "Idempotency-Key", "pii-1"), http.StatusCreated).decode(t, &created)
	s.mustStatus(s.do("GET", "/api/v1/orders/"+created.OrderID, nil, "Authorization", "Bearer "+created.AccessToken), http.StatusOK)
	s.mustStatus(s.do("POST", "/api/v1/checkout", body(s.newCart(map[string]int{p.Variants[0].SKU: 1}), declTok), "Idempotency-Key", "pii-2"), http.StatusPaymentRequired)
	bad := body("not-a-cart", "tok_visa")
	bad["email"] = "not an e-mail " + email
	s.do("POST", "/api/v1/checkout", bad, "Idempotency-Key", "pii-3")

	// The synthetic marker goes along too, so the headers carry baggage.
	s.mustStatus(s.do("POST", "/api/v1/checkout", body(s.syntheticCart(map[string]int{p.Variants[0].SKU: 1}), "tok_visa"),
		"Idempotency-Key", "pii-4", "baggage", "synthetic=true,customer.email="+url.QueryEscape(email)), http.StatusCreated)
	waitOutboxEmpty(t, s.shop)

	traces := s.admin("GET", "/console/api/traces?limit=500", nil)
	metrics := s.do("GET", "/metrics", nil)
	s.stop() // flushes the OTLP batch
	headers := natsHeaders(t, dataDir)
	if !strings.Contains(headers, "traceparent") || !strings.Contains(headers, "synthetic=true") {
		t.Errorf("NATS headers lack the trace context or the synthetic baggage: %.400s", headers)
	}
	for _, series := range []string{"peakshop_queue_consumer_lag_messages", "peakshop_funnel_carts", "peakshop_instance_up"} {
		if !strings.Contains(string(metrics.Body), series) {
			t.Errorf("/metrics lacks %s: the search below would not cover its labels", series)
		}
	}

	exported := otlp.all()
	if !strings.Contains(exported, "POST /api/v1/checkout") || !strings.Contains(exported, "sql.") {
		t.Fatalf("OTLP export lacks the checkout's server and database spans (%d bytes)", len(exported))
	}
	if !strings.Contains(string(traces.Body), "sqlite") {
		t.Errorf("console traces lack database spans: %.300s", traces.Body)
	}
	for _, secret := range []string{email, "lovelace", name, street, "Analytical", "tok_visa", declTok, created.AccessToken, adminToken} {
		for exit, text := range map[string]string{"OTLP export": exported, "console traces": string(traces.Body), "logs": s.logs.String(),
			"metrics": string(metrics.Body), "NATS message headers": headers} {
			if strings.Contains(strings.ToLower(text), strings.ToLower(secret)) {
				i := strings.Index(strings.ToLower(text), strings.ToLower(secret))
				t.Errorf("%s contains %q: …%s…", exit, secret, text[max(0, i-80):min(len(text), i+80)])
			}
		}
	}
}

// TestBusinessFigures checks orders, revenue, declines, stock-outs and the
// cache hit ratio reach /metrics, and that synthetic traffic and replays
// stay out of them.
func TestBusinessFigures(t *testing.T) {
	s := startObservedShop(t)
	p := s.addProduct("figures", 1250, 1)
	sku := p.Variants[0].SKU
	cart := s.newCart(map[string]int{sku: 1})
	s.mustStatus(s.do("POST", "/api/v1/checkout", checkoutBody(cart, "tok_visa"), "Idempotency-Key", "fig-1"), http.StatusCreated)
	s.mustStatus(s.do("POST", "/api/v1/checkout", checkoutBody(cart, "tok_visa"), "Idempotency-Key", "fig-1"), http.StatusCreated) // replay
	s.mustStatus(s.do("POST", "/api/v1/checkout", checkoutBody(s.newCart(map[string]int{sku: 1}), "tok_visa"), "Idempotency-Key", "fig-2"), http.StatusConflict)
	s.admin("PUT", "/api/v1/admin/inventory/"+sku, map[string]int{"available": 5})
	s.mustStatus(s.do("POST", "/api/v1/checkout", checkoutBody(s.newCart(map[string]int{sku: 1}), "tok_chargeDeclined"), "Idempotency-Key", "fig-3"), http.StatusPaymentRequired)
	s.mustStatus(s.do("POST", "/api/v1/checkout", checkoutBody(s.newCart(map[string]int{sku: 1}), "tok_visa"), "Idempotency-Key", "fig-4", "baggage", "synthetic=true"), http.StatusCreated)
	for i := 0; i < 3; i++ {
		s.mustStatus(s.do("GET", "/api/v1/products/figures", nil), http.StatusOK)
	}
	m := string(s.do("GET", "/metrics", nil).Body)
	for _, want := range []string{
		`peakshop_checkouts_total{outcome="created"} 1`,
		`peakshop_checkouts_total{outcome="declined"} 1`,
		`peakshop_checkouts_total{outcome="out_of_stock"} 1`,
		`peakshop_synthetic_checkouts_total{outcome="created"} 1`,
		`peakshop_revenue_minor_units_total{currency="USD"} 1250`,
		`peakshop_stockout_skus_total 1`,
		`peakshop_cache_requests_total{cache="product",result="hit"} 2`,
		`peakshop_cache_requests_total{cache="product",result="miss"} 1`,
		`go_goroutines`,
		`peakshop_http_request_duration_seconds_bucket{route="GET /api/v1/products/{id}"`,
	} {
		if !strings.Contains(m, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
}

// TestConsoleSignIn checks the console is admin only and that ?token=
// becomes an HttpOnly, SameSite=Strict cookie and leaves the address.
func TestConsoleSignIn(t *testing.T) {
	s := startObservedShop(t)
	noRedirect := &http.Client{Timeout: 10 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	get := func(path string, cookies ...*http.Cookie) *http.Response {
		req, _ := http.NewRequest("GET", s.base+path, nil)
		for _, c := range cookies {
			req.AddCookie(c)
		}
		res, err := noRedirect.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res
	}
	if res := get("/console"); res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/console/login" {
		t.Fatalf("anonymous /console: %d %s", res.StatusCode, res.Header.Get("Location"))
	}
	if res := get("/console/api/state"); res.StatusCode != http.StatusUnauthorized {
		t.Fatalf("anonymous state: %d", res.StatusCode)
	}
	if res := get("/console?token=wrong"); len(res.Cookies()) != 0 {
		t.Fatal("a wrong token got a session")
	}
	res := get("/console?token=" + adminToken)
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/console" || len(res.Cookies()) != 1 {
		t.Fatalf("sign-in: %d %q %v", res.StatusCode, res.Header.Get("Location"), res.Cookies())
	}
	ck := res.Cookies()[0]
	if !ck.HttpOnly || ck.SameSite != http.SameSiteStrictMode || strings.Contains(ck.Value, adminToken) {
		t.Fatalf("session cookie %+v: want HttpOnly, SameSite=Strict, not the token", ck)
	}
	for _, path := range []string{"/console", "/console/api/state", "/console/api/alarms"} {
		if res := get(path, ck); res.StatusCode != http.StatusOK {
			t.Errorf("%s with session: %d", path, res.StatusCode)
		}
	}
	forged := &http.Cookie{Name: ck.Name, Value: "99999999999.forged"}
	if res := get("/console/api/state", forged); res.StatusCode != http.StatusUnauthorized {
		t.Errorf("forged session: %d", res.StatusCode)
	}
	if res := get("/console/static/uPlot.iife.min.js"); res.StatusCode != http.StatusOK {
		t.Errorf("uPlot not served: %d", res.StatusCode)
	}
	var alarms struct {
		Alarms []struct{ Name, State string }
	}
	s.mustStatus(s.admin("GET", "/console/api/alarms", nil), http.StatusOK).decode(t, &alarms)
	if len(alarms.Alarms) < 4 || alarms.Alarms[0].State != "INSUFFICIENT_DATA" {
		t.Errorf("alarms %+v: want the defaults, not evaluated yet", alarms.Alarms)
	}
}
