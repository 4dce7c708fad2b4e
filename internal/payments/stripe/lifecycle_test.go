package stripe_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/peakshop/peakshop/internal/domain/money"
	"github.com/peakshop/peakshop/internal/domain/payment"
	"github.com/peakshop/peakshop/internal/payments/stripe"
	"github.com/peakshop/peakshop/internal/payments/stripe/stripetest"
)

// fakeStripe answers the few calls whose outcomes stripe-mock cannot play
// (it always answers with its fixtures): a canned status and body per
// "METHOD path", and a note of each call with its Idempotency-Key.
type fakeStripe struct {
	mu      sync.Mutex
	answers map[string]string // "POST /v1/payment_intents" -> "402 {json}"
	calls   []string
}

func (f *fakeStripe) start(tb testing.TB) string {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		f.calls = append(f.calls, r.Method+" "+r.URL.Path+" key="+r.Header.Get("Idempotency-Key"))
		a, ok := f.answers[r.Method+" "+r.URL.Path]
		f.mu.Unlock()
		if !ok {
			a = `404 {"error":{"type":"invalid_request_error","message":"no such route"}}`
		}
		status, body, _ := strings.Cut(a, " ")
		w.Header().Set("Content-Type", "application/json")
		switch status {
		case "200":
			w.WriteHeader(200)
		case "402":
			w.WriteHeader(402)
		case "400":
			w.WriteHeader(400)
		case "409":
			w.WriteHeader(409)
		default:
			w.WriteHeader(404)
		}
		_, _ = w.Write([]byte(body))
	}))
	tb.Cleanup(srv.Close)
	return srv.URL
}

func (f *fakeStripe) called() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return strings.Join(f.calls, "\n")
}

func intent(id, status string) string {
	return `200 {"id":"` + id + `","object":"payment_intent","status":"` + status + `","amount":500,"currency":"usd","metadata":{"order_id":"o","idempotency_key":"o:charge"}}`
}

var fiveDollars = money.Money{Amount: 500, Currency: "USD"}

// A decline at capture (the authorization expired, say) releases the hold
// with its own key and answers a decline.
func TestCaptureDeclineVoidsTheAuthorization(t *testing.T) {
	f := &fakeStripe{answers: map[string]string{
		"POST /v1/payment_intents":              intent("pi_1", "requires_capture"),
		"POST /v1/payment_intents/pi_1/capture": `402 {"error":{"type":"card_error","code":"expired_card"}}`,
		"POST /v1/payment_intents/pi_1/cancel":  intent("pi_1", "canceled"),
	}}
	g := mustGateway(t, stripe.Config{URL: f.start(t)})
	_, err := g.Charge(context.Background(), payment.ChargeRequest{IdempotencyKey: "o:charge", OrderID: "o", Amount: fiveDollars, Token: "pm_card_visa"})
	var d *payment.DeclinedError
	if !errors.As(err, &d) || d.Code != "expired_card" {
		t.Fatalf("err = %v, want the expired_card decline", err)
	}
	if !strings.Contains(f.called(), "POST /v1/payment_intents/pi_1/cancel key=o:charge:cancel") {
		t.Errorf("authorization not voided:\n%s", f.called())
	}
}

// A bank that wants 3-D Secure cannot be satisfied server-side: the intent
// is cancelled and the shopper told, and nothing is captured.
func TestAuthenticationRequiredIsADecline(t *testing.T) {
	f := &fakeStripe{answers: map[string]string{
		"POST /v1/payment_intents":             intent("pi_2", "requires_action"),
		"POST /v1/payment_intents/pi_2/cancel": intent("pi_2", "canceled"),
	}}
	g := mustGateway(t, stripe.Config{URL: f.start(t)})
	_, err := g.Charge(context.Background(), payment.ChargeRequest{IdempotencyKey: "o:charge", OrderID: "o", Amount: fiveDollars, Token: "pm_card_threeDSecure2Required"})
	var d *payment.DeclinedError
	if !errors.As(err, &d) || d.Code != "authentication_required" {
		t.Fatalf("err = %v, want authentication_required", err)
	}
	calls := f.called()
	if strings.Contains(calls, "/capture") || !strings.Contains(calls, "pi_2/cancel key=o:charge:cancel") {
		t.Errorf("want a cancel and no capture:\n%s", calls)
	}
}

// An unknown payment method is the shopper's bad token, not an outage: a
// decline, which leaves the breaker shut.
func TestUnknownPaymentMethodIsADecline(t *testing.T) {
	f := &fakeStripe{answers: map[string]string{
		"POST /v1/payment_intents": `400 {"error":{"type":"invalid_request_error","code":"resource_missing","param":"payment_method","message":"No such PaymentMethod"}}`,
	}}
	g := mustGateway(t, stripe.Config{URL: f.start(t), BreakerFailures: 1})
	for range 2 {
		_, err := g.Charge(context.Background(), payment.ChargeRequest{IdempotencyKey: "o:charge", OrderID: "o", Amount: fiveDollars, Token: "pm_nope"})
		var d *payment.DeclinedError
		if !errors.As(err, &d) || d.Code != "invalid_token" {
			t.Fatalf("err = %v, want invalid_token", err)
		}
	}
}

// 409 is Stripe saying a request with the same key is still running: try
// again later, an unknown outcome.
func TestConcurrentKeyIsUnavailable(t *testing.T) {
	f := &fakeStripe{answers: map[string]string{
		"POST /v1/refunds": `409 {"error":{"type":"invalid_request_error","code":"idempotency_key_in_use"}}`,
	}}
	g := mustGateway(t, stripe.Config{URL: f.start(t)})
	if err := g.Refund(context.Background(), "pi_1", "o:refund"); !errors.Is(err, payment.ErrUnavailable) {
		t.Fatalf("err = %v, want ErrUnavailable", err)
	}
}

// Lookup after a crash between authorize and capture: the held amount is
// released, and the charge reported as not made.
func TestLookupVoidsAnUncapturedAuthorization(t *testing.T) {
	f := &fakeStripe{answers: map[string]string{
		"GET /v1/payment_intents/search":       `200 {"object":"search_result","data":[` + strings.TrimPrefix(intent("pi_3", "requires_capture"), "200 ") + `],"has_more":false}`,
		"POST /v1/payment_intents/pi_3/cancel": intent("pi_3", "canceled"),
	}}
	g := mustGateway(t, stripe.Config{URL: f.start(t)})
	_, found, err := g.Lookup(context.Background(), "o:charge")
	if err != nil || found {
		t.Fatalf("lookup = %v, %v; want not found", found, err)
	}
	if !strings.Contains(f.called(), "pi_3/cancel key=o:charge:cancel") {
		t.Errorf("hold not released:\n%s", f.called())
	}
}

// Each call has its own deadline: a Stripe that hangs is an outage after
// the timeout, not a stuck checkout.
func TestCallTimeout(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { <-release }))
	defer srv.Close()
	defer close(release)
	g := mustGateway(t, stripe.Config{URL: srv.URL, Timeout: 200 * time.Millisecond})
	start := time.Now()
	_, err := g.Charge(context.Background(), payment.ChargeRequest{IdempotencyKey: "o:charge", OrderID: "o", Amount: fiveDollars, Token: "pm_card_visa"})
	if !errors.Is(err, payment.ErrUnavailable) {
		t.Fatalf("err = %v, want ErrUnavailable", err)
	}
	if took := time.Since(start); took > 5*time.Second {
		t.Errorf("charge took %v with a 200ms timeout", took)
	}
}

func TestKeyRequiredOnEveryWrite(t *testing.T) {
	g := mustGateway(t, stripe.Config{URL: "http://127.0.0.1:1"})
	ctx := context.Background()
	if _, err := g.Charge(ctx, payment.ChargeRequest{OrderID: "o", Amount: fiveDollars, Token: "pm_card_visa"}); err == nil {
		t.Error("charge without a key accepted")
	}
	if err := g.Refund(ctx, "pi_1", ""); err == nil {
		t.Error("refund without a key accepted")
	}
	if err := g.Cancel(ctx, "pi_1", ""); err == nil {
		t.Error("cancel without a key accepted")
	}
}

// Against stripe-mock: cancel (void) carries its key too.
func TestCancelAgainstStripeMock(t *testing.T) {
	rec := &recorder{}
	g := mustGateway(t, stripe.Config{URL: rec.proxy(t, stripetest.Start(t))})
	if err := g.Cancel(context.Background(), "pi_123", "ord2:charge:cancel"); err != nil {
		t.Fatalf("cancel: %v", err)
	}
	rec.mu.Lock()
	defer rec.mu.Unlock()
	if got := strings.Join(rec.seen, "\n"); !strings.Contains(got, "POST /v1/payment_intents/pi_123/cancel key=ord2:charge:cancel") {
		t.Errorf("requests:\n%s", got)
	}
}
