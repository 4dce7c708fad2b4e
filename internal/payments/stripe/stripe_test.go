package stripe_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/peakshop/peakshop/internal/domain/money"
	"github.com/peakshop/peakshop/internal/domain/payment"
	"github.com/peakshop/peakshop/internal/payments/stripe"
	"github.com/peakshop/peakshop/internal/payments/stripe/stripetest"
)

// recorder is a loopback proxy in front of stripe-mock that notes each
// request's path and Idempotency-Key.
type recorder struct {
	mu   sync.Mutex
	seen []string
}

func (r *recorder) proxy(tb testing.TB, target string) string {
	u, _ := url.Parse(target)
	rp := httputil.NewSingleHostReverseProxy(u)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		req.Body = io.NopCloser(bytes.NewReader(body))
		form, _ := url.ParseQuery(string(body))
		r.mu.Lock()
		r.seen = append(r.seen, req.Method+" "+req.URL.Path+" key="+req.Header.Get("Idempotency-Key")+" order="+form.Get("metadata[order_id]")+
			" pm="+form.Get("payment_method")+" card_token="+form.Get("card[token]")+" generation="+form.Get("metadata[generation]"))
		r.mu.Unlock()
		rp.ServeHTTP(w, req)
	}))
	tb.Cleanup(srv.Close)
	return srv.URL
}

func mustGateway(tb testing.TB, cfg stripe.Config) *stripe.Gateway {
	tb.Helper()
	cfg.Key = "sk_test_123"
	g, err := stripe.New(cfg)
	if err != nil {
		tb.Fatal(err)
	}
	return g
}

func TestAgainstStripeMock(t *testing.T) {
	rec := &recorder{}
	g := mustGateway(t, stripe.Config{URL: rec.proxy(t, stripetest.Start(t))})
	ctx := context.Background()
	r, err := g.Charge(ctx, payment.ChargeRequest{IdempotencyKey: "ord1:charge", OrderID: "ord1",
		Amount: money.Money{Amount: 2500, Currency: "USD"}, Token: "pm_card_visa"})
	if err != nil {
		t.Fatalf("charge: %v", err)
	}
	if !strings.HasPrefix(r.ChargeID, "pi_") {
		t.Errorf("receipt %+v", r)
	}
	if err := g.Refund(ctx, r.ChargeID, "ord1:refund"); err != nil {
		t.Fatalf("refund: %v", err)
	}
	if _, _, err := g.Lookup(ctx, "ord1:charge"); err != nil {
		t.Fatalf("lookup: %v", err)
	}
	rec.mu.Lock()
	defer rec.mu.Unlock()
	// Every call carries a key derived from the order's, and the intent
	// carries the order id its webhooks are matched by.
	want := []string{"POST /v1/payment_intents key=ord1:charge:authorize order=ord1", "key=ord1:charge:capture", "POST /v1/refunds key=ord1:refund"}
	joined := strings.Join(rec.seen, "\n")
	for _, w := range want {
		if !strings.Contains(joined, w) {
			t.Errorf("no request with %q in\n%s", w, joined)
		}
	}
}

// A card error is a decline: no retry helps, and the breaker stays shut.
func TestCardErrorIsADecline(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusPaymentRequired)
		_, _ = w.Write([]byte(`{"error":{"type":"card_error","code":"card_declined","decline_code":"insufficient_funds","message":"no"}}`))
	}))
	defer srv.Close()
	g := mustGateway(t, stripe.Config{URL: srv.URL, BreakerFailures: 1})
	for range 3 {
		_, err := g.Charge(context.Background(), payment.ChargeRequest{IdempotencyKey: "o:charge", OrderID: "o",
			Amount: money.Money{Amount: 100, Currency: "USD"}, Token: "pm_card_chargeDeclined"})
		var d *payment.DeclinedError
		if !errors.As(err, &d) || d.Code != "insufficient_funds" {
			t.Fatalf("err = %v, want a decline", err)
		}
	}
}

// An unreachable Stripe is an unknown outcome, and after the set failures
// the breaker answers at once without calling.
func TestOutageOpensTheBreaker(t *testing.T) {
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		n.Add(1)
		w.WriteHeader(http.StatusServiceUnavailable)
		_, _ = w.Write([]byte(`{"error":{"type":"api_error","message":"down"}}`))
	}))
	defer srv.Close()
	g := mustGateway(t, stripe.Config{URL: srv.URL, BreakerFailures: 3, BreakerCooldown: time.Hour})
	for i := range 6 {
		err := g.Refund(context.Background(), "pi_1", "o:refund")
		if !errors.Is(err, payment.ErrUnavailable) {
			t.Fatalf("call %d: err = %v, want ErrUnavailable", i, err)
		}
	}
	if n.Load() != 3 {
		t.Errorf("stripe was called %d times, want 3 before the breaker opened", n.Load())
	}
}
