package app_test

import (
	"context"
	"flag"
	"io"
	"log/slog"
	"net/http"
	"os"
	"strings"
	"testing"

	"github.com/peakshop/peakshop/internal/app"
	"github.com/peakshop/peakshop/internal/payments/stripe/stripetest"
	"github.com/peakshop/peakshop/internal/platform/flagenv"
)

const (
	testStripeKey = "sk_test_123"
	testWhsec     = "whsec_peakshop_test"
)

// parseServe parses serve's flags over the environment, as the command does.
func parseServe(t *testing.T, args ...string) (app.Config, error) {
	t.Helper()
	cfg := app.DefaultConfig()
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	cfg.ServeFlags(fs)
	err := flagenv.Parse(fs, "PEAKSHOP", args)
	return cfg, err
}

func TestPaymentsChosenByFlagOrEnvironment(t *testing.T) {
	for _, k := range []string{"PEAKSHOP_PAYMENTS", "PEAKSHOP_STRIPE_API_URL", "PEAKSHOP_STRIPE_SECRET_KEY", "PEAKSHOP_STRIPE_WEBHOOK_SECRET"} {
		t.Setenv(k, "") // restored after the test
		os.Unsetenv(k)
	}
	cfg, err := parseServe(t)
	if err != nil || cfg.Payments.Provider != "" || !strings.Contains(cfg.String(), "payments=simulator") {
		t.Fatalf("default: %+v %v (%s)", cfg.Payments, err, cfg.String())
	}
	t.Setenv("PEAKSHOP_PAYMENTS", "stripe")
	t.Setenv("PEAKSHOP_STRIPE_API_URL", "http://127.0.0.1:12111")
	t.Setenv("PEAKSHOP_STRIPE_SECRET_KEY", "sk_test_from_env")
	t.Setenv("PEAKSHOP_STRIPE_WEBHOOK_SECRET", "whsec_from_env")
	cfg, err = parseServe(t)
	if err != nil {
		t.Fatal(err)
	}
	want := app.PaymentsConfig{Provider: "stripe", StripeAPIURL: "http://127.0.0.1:12111", StripeSecretKey: "sk_test_from_env", StripeWebhookSecret: "whsec_from_env"}
	if cfg.Payments != want {
		t.Fatalf("from env: %+v", cfg.Payments)
	}
	if s := cfg.String(); strings.Contains(s, "sk_test_from_env") || strings.Contains(s, "whsec_from_env") {
		t.Errorf("config string shows a secret: %s", s)
	}
	if cfg, err = parseServe(t, "--payments", "simulator"); err != nil || cfg.Payments.Provider != "simulator" {
		t.Fatalf("flag over env: %+v %v", cfg.Payments, err)
	}
	if _, err := parseServe(t, "--payments", "paypal"); err == nil {
		t.Error("--payments=paypal accepted")
	}
	// Secrets have no flag: flags show up in ps.
	for _, bad := range []string{"--stripe-secret-key", "--stripe-webhook-secret"} {
		if _, err := parseServe(t, bad, "x"); err == nil {
			t.Errorf("%s is a flag", bad)
		}
	}
}

func TestStripeWithoutKeyIsRefusedAtStart(t *testing.T) {
	cfg := app.DefaultConfig()
	cfg.Addr, cfg.DataDir, cfg.Demo, cfg.Edge.On, cfg.AdminToken = "127.0.0.1:0", t.TempDir(), false, false, adminToken
	cfg.Payments = app.PaymentsConfig{Provider: "stripe", StripeAPIURL: "http://127.0.0.1:1"}
	logger := slog.New(slog.DiscardHandler)
	a, err := app.New(context.Background(), cfg, logger, io.Discard)
	if err == nil {
		_ = a.Run(canceled())
		t.Fatal("serve started with --payments=stripe and no secret key")
	}
	if !strings.Contains(err.Error(), "PEAKSHOP_STRIPE_SECRET_KEY") {
		t.Errorf("error does not say what is missing: %v", err)
	}
	cfg.Pipeline.Off = false
	if err := app.RunWorker(context.Background(), cfg, logger); err == nil || !strings.Contains(err.Error(), "PEAKSHOP_STRIPE_SECRET_KEY") {
		t.Errorf("worker: %v", err)
	}
}

func canceled() context.Context {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	return ctx
}

// stripeShop is the shop with --payments=stripe against a stripe-mock on
// loopback, webhooks signed with whsec (none when empty).
func stripeShop(t testing.TB, dsn, whsec string) *shop {
	t.Helper()
	mock := stripetest.Start(t)
	return startShop(t, dsn, func(c *app.Config) {
		c.Payments = app.PaymentsConfig{Provider: "stripe", StripeAPIURL: mock, StripeSecretKey: testStripeKey, StripeWebhookSecret: whsec}
	})
}

// placeOrder checks out one item with a Stripe test payment method and
// returns the paid order's id and access token.
func placeOrder(t testing.TB, s *shop, slug string) (id, token string) {
	t.Helper()
	p := s.addProduct(slug, 2500, 5)
	cart := s.newCart(map[string]int{p.Variants[0].SKU: 1})
	var c struct {
		OrderID     string `json:"order_id"`
		Status      string `json:"status"`
		AccessToken string `json:"access_token"`
	}
	s.mustStatus(s.do("POST", "/api/v1/checkout", checkoutBody(cart, "pm_card_visa"), "Idempotency-Key", slug), http.StatusCreated).decode(t, &c)
	if c.Status != "paid" {
		t.Fatalf("order %s is %s, want paid", c.OrderID, c.Status)
	}
	return c.OrderID, c.AccessToken
}

// A synchronous checkout on the Stripe gateway: authorized and captured
// through stripe-mock, the order paid with the PaymentIntent as its charge.
func TestStripeCheckoutEndToEnd(t *testing.T) {
	s := stripeShop(t, engines(t)["sqlite"](t), "")
	if s.app.Payment != nil {
		t.Fatal("the simulator is still the gateway")
	}
	id, token := placeOrder(t, s, "stripe-bike")
	chargeID, amount, err := s.app.Store.Charge(context.Background(), id)
	if err != nil || !strings.HasPrefix(chargeID, "pi_") || amount.Amount <= 0 {
		t.Fatalf("payment record: %q %+v %v", chargeID, amount, err)
	}
	var o struct{ Status string }
	s.mustStatus(s.do("GET", "/api/v1/orders/"+id, nil, "Authorization", "Bearer "+token), http.StatusOK).decode(t, &o)
	if o.Status != "paid" {
		t.Fatalf("order status %s", o.Status)
	}
	// Without a signing secret the webhook endpoint is not there at all.
	r := s.do("POST", "/api/v1/webhooks/stripe", `{"id":"evt_1","type":"payment_intent.succeeded"}`, "Stripe-Signature", "t=1,v1=00")
	if r.Status != http.StatusNotFound || r.Header.Get("Content-Type") != "application/problem+json" {
		t.Fatalf("webhook without a secret: %d %s", r.Status, r.Body)
	}
}
