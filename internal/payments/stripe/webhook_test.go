package stripe_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/stripe/stripe-go/v82/webhook"

	"github.com/peakshop/peakshop/internal/domain/payment"
	"github.com/peakshop/peakshop/internal/payments/stripe"
)

const whsec = "whsec_test_secret"

func signed(payload string, secret string, at time.Time) string {
	return webhook.GenerateTestSignedPayload(&webhook.UnsignedPayload{Payload: []byte(payload), Secret: secret, Timestamp: at}).Header
}

func event(id, typ, object string) string {
	return fmt.Sprintf(`{"id":%q,"object":"event","type":%q,"api_version":"2019-01-01","data":{"object":%s}}`, id, typ, object)
}

func mustWebhooks(tb testing.TB, url string) *stripe.Webhooks {
	tb.Helper()
	w, err := mustGateway(tb, stripe.Config{URL: url}).Webhooks(whsec)
	if err != nil {
		tb.Fatal(err)
	}
	return w
}

func TestVerifyEvent(t *testing.T) {
	w := mustWebhooks(t, "http://127.0.0.1:1")
	pi := `{"id":"pi_9","object":"payment_intent","metadata":{"order_id":"ord_9"}}`
	ok := event("evt_1", "payment_intent.succeeded", pi)
	now := time.Now()
	cases := []struct {
		name, payload, header string
		want                  payment.Event
		bad                   bool
	}{
		{"valid", ok, signed(ok, whsec, now), payment.Event{ID: "evt_1", Type: "payment_intent.succeeded", Kind: payment.EventSucceeded, OrderID: "ord_9", PaymentID: "pi_9"}, false},
		{"failed", event("evt_2", "payment_intent.payment_failed", pi), signed(event("evt_2", "payment_intent.payment_failed", pi), whsec, now),
			payment.Event{ID: "evt_2", Type: "payment_intent.payment_failed", Kind: payment.EventFailed, OrderID: "ord_9", PaymentID: "pi_9"}, false},
		{"refunded charge with metadata", event("evt_3", "charge.refunded", `{"id":"ch_1","object":"charge","payment_intent":"pi_9","metadata":{"order_id":"ord_9"}}`),
			signed(event("evt_3", "charge.refunded", `{"id":"ch_1","object":"charge","payment_intent":"pi_9","metadata":{"order_id":"ord_9"}}`), whsec, now),
			payment.Event{ID: "evt_3", Type: "charge.refunded", Kind: payment.EventRefunded, OrderID: "ord_9", PaymentID: "pi_9"}, false},
		{"unhandled type", event("evt_4", "customer.created", `{"id":"cus_1"}`), signed(event("evt_4", "customer.created", `{"id":"cus_1"}`), whsec, now),
			payment.Event{ID: "evt_4", Type: "customer.created"}, false},
		{"tampered body", ok[:len(ok)-2] + `,"x":1}}`, signed(ok, whsec, now), payment.Event{}, true},
		{"old timestamp", ok, signed(ok, whsec, now.Add(-stripe.Tolerance-time.Minute)), payment.Event{}, true},
		{"wrong secret", ok, signed(ok, "whsec_other", now), payment.Event{}, true},
		{"no header", ok, "", payment.Event{}, true},
		{"garbage header", ok, "t=abc,v1=zz", payment.Event{}, true},
		{"signed non-event", `not json`, signed(`not json`, whsec, now), payment.Event{}, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := w.VerifyEvent(context.Background(), []byte(c.payload), c.header)
			if c.bad {
				if !errors.Is(err, payment.ErrBadSignature) {
					t.Fatalf("err = %v, want ErrBadSignature", err)
				}
				return
			}
			if err != nil || got != c.want {
				t.Fatalf("got %+v, %v; want %+v", got, err, c.want)
			}
		})
	}
}

// A refunded charge without the order in its metadata is matched through
// its PaymentIntent, fetched from Stripe.
func TestRefundedChargeFindsItsIntent(t *testing.T) {
	f := &fakeStripe{answers: map[string]string{"GET /v1/payment_intents/pi_7": intent("pi_7", "succeeded")}}
	w := mustWebhooks(t, f.start(t))
	body := event("evt_5", "charge.refunded", `{"id":"ch_2","object":"charge","payment_intent":"pi_7","metadata":{}}`)
	got, err := w.VerifyEvent(context.Background(), []byte(body), signed(body, whsec, time.Now()))
	if err != nil || got.OrderID != "o" || got.PaymentID != "pi_7" || got.Kind != payment.EventRefunded {
		t.Fatalf("got %+v, %v", got, err)
	}
}

func TestWebhooksNeedASecret(t *testing.T) {
	if _, err := mustGateway(t, stripe.Config{}).Webhooks(""); err == nil {
		t.Fatal("a verifier without a secret would accept nothing or anything")
	}
}
