package app_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stripe/stripe-go/v82/webhook"
)

// stripeEvent is a Stripe event about a payment of order orderID.
func stripeEvent(eventID, typ, orderID string) string {
	obj := fmt.Sprintf(`{"id":"pi_%s","object":"payment_intent","amount":2500,"currency":"usd","metadata":{"order_id":%q}}`, eventID, orderID)
	if typ == "charge.refunded" {
		obj = fmt.Sprintf(`{"id":"ch_%s","object":"charge","payment_intent":"pi_x","metadata":{"order_id":%q}}`, eventID, orderID)
	}
	return fmt.Sprintf(`{"id":%q,"object":"event","api_version":"2025-01-27.acacia","created":%d,"type":%q,"data":{"object":%s}}`,
		eventID, time.Now().Unix(), typ, obj)
}

func stripeSignature(body, secret string, at time.Time) string {
	return webhook.GenerateTestSignedPayload(&webhook.UnsignedPayload{Payload: []byte(body), Secret: secret, Timestamp: at}).Header
}

func (s *shop) deliver(body, signature string) response {
	s.t.Helper()
	return s.do("POST", "/api/v1/webhooks/stripe", body, "Stripe-Signature", signature)
}

// timeline returns an order's status and its payment_event steps' details.
func (s *shop) paymentEvents(id, token string) (status string, events []string) {
	s.t.Helper()
	var o struct {
		Status   string
		Timeline []struct{ Step, Detail string }
	}
	s.mustStatus(s.do("GET", "/api/v1/orders/"+id, nil, "Authorization", "Bearer "+token), http.StatusOK).decode(s.t, &o)
	for _, st := range o.Timeline {
		if st.Step == "payment_event" {
			events = append(events, st.Detail)
		}
	}
	return o.Status, events
}

// The webhook on each engine: the once-per-event record rests on the
// database's ON CONFLICT, so PostgreSQL's concurrent transactions are
// checked as well as SQLite's single writer.
func TestStripeWebhooks(t *testing.T) {
	for name, dsn := range engines(t) {
		t.Run(name, func(t *testing.T) { testStripeWebhooks(t, stripeShop(t, dsn(t), testWhsec)) })
	}
}

func testStripeWebhooks(t *testing.T, s *shop) {
	validate := schemaValidator(t)
	id, token := placeOrder(t, s, "hook-lamp")

	t.Run("delivered twice concurrently, recorded once", func(t *testing.T) {
		body := stripeEvent("evt_dup", "payment_intent.succeeded", id)
		sig := stripeSignature(body, testWhsec, time.Now())
		var mu sync.Mutex
		outcomes := map[string]int{}
		parallel(8, func(int) {
			r := s.deliver(body, sig)
			var rc struct{ Outcome string }
			if r.Status == http.StatusOK {
				r.decode(t, &rc)
			}
			mu.Lock()
			outcomes[fmt.Sprintf("%d %s", r.Status, rc.Outcome)]++
			mu.Unlock()
		})
		if outcomes["200 recorded"] != 1 || outcomes["200 duplicate"] != 7 {
			t.Fatalf("outcomes %v, want one recorded and seven duplicates", outcomes)
		}
		status, events := s.paymentEvents(id, token)
		if status != "paid" || len(events) != 1 || events[0] != "stripe payment_intent.succeeded evt_dup" {
			t.Fatalf("status %s, events %q", status, events)
		}
	})

	t.Run("bad signatures are refused and write nothing", func(t *testing.T) {
		body := stripeEvent("evt_bad", "charge.refunded", id)
		now := time.Now()
		cases := map[string]struct{ body, sig string }{
			"tampered body":  {strings.Replace(body, "charge.refunded", "payment_intent.canceled", 1), stripeSignature(body, testWhsec, now)},
			"old timestamp":  {body, stripeSignature(body, testWhsec, now.Add(-6*time.Minute))},
			"wrong secret":   {body, stripeSignature(body, "whsec_someone_else", now)},
			"no signature":   {body, ""},
			"garbage header": {body, "t=now,v1=%%%"},
		}
		for name, c := range cases {
			r := s.deliver(c.body, c.sig)
			if r.Status != http.StatusBadRequest || r.Header.Get("Content-Type") != "application/problem+json" {
				t.Errorf("%s: %d %s", name, r.Status, r.Body)
				continue
			}
			if err := validate("Problem", r.Body); err != nil {
				t.Errorf("%s: %v", name, err)
			}
		}
		if _, events := s.paymentEvents(id, token); len(events) != 1 {
			t.Fatalf("a refused delivery was recorded: %q", events)
		}
	})

	t.Run("a refund notice changes nothing but the timeline", func(t *testing.T) {
		// Stripe says the charge was refunded (from its dashboard, say): the
		// shop records it, and neither refunds again nor moves the order.
		body := stripeEvent("evt_refund", "charge.refunded", id)
		r := s.mustStatus(s.deliver(body, stripeSignature(body, testWhsec, time.Now())), http.StatusOK)
		if err := validate("WebhookReceipt", r.Body); err != nil {
			t.Error(err)
		}
		status, events := s.paymentEvents(id, token)
		if status != "paid" || len(events) != 2 || events[1] != "stripe charge.refunded evt_refund" {
			t.Fatalf("status %s, events %q", status, events)
		}
		r = s.do("GET", "/api/v1/orders/"+id, nil, "Authorization", "Bearer "+token)
		if err := validate("Order", r.Body); err != nil {
			t.Errorf("order with payment events: %v", err)
		}
		if strings.Contains(string(r.Body), `"refunded"`) {
			t.Errorf("the webhook recorded a refund of the shop's own: %s", r.Body)
		}
	})

	t.Run("ignored", func(t *testing.T) {
		for name, body := range map[string]string{
			"unhandled type": stripeEvent("evt_other", "customer.created", id),
			"unknown order":  stripeEvent("evt_stranger", "payment_intent.succeeded", "ord_not_ours"),
			"no order":       stripeEvent("evt_noorder", "payment_intent.canceled", ""),
		} {
			var rc struct{ Outcome string }
			s.mustStatus(s.deliver(body, stripeSignature(body, testWhsec, time.Now())), http.StatusOK).decode(t, &rc)
			if rc.Outcome != "ignored" {
				t.Errorf("%s: outcome %q", name, rc.Outcome)
			}
		}
		if _, events := s.paymentEvents(id, token); len(events) != 2 {
			t.Fatalf("ignored events were recorded: %q", events)
		}
	})

	t.Run("body limit", func(t *testing.T) {
		big := `{"id":"evt_big","pad":"` + strings.Repeat("x", 70<<10) + `"}`
		if r := s.deliver(big, stripeSignature(big, testWhsec, time.Now())); r.Status != http.StatusRequestEntityTooLarge {
			t.Fatalf("oversized delivery: %d %s", r.Status, r.Body)
		}
	})
}

// FuzzStripeWebhook throws arbitrary bodies at the webhook, signed with the
// right secret or not. Whatever arrives, the answer is a 200 or a problem
// (never a 5xx but 503), and nothing unsigned reaches the order's timeline.
//
//	go test -run '^$' -fuzz FuzzStripeWebhook -fuzztime 20s ./internal/app/
func FuzzStripeWebhook(f *testing.F) {
	s := stripeShop(f, engines(nil)["sqlite"](f), testWhsec)
	id, token := placeOrder(f, s, "fuzz-hook")
	for _, typ := range []string{"payment_intent.succeeded", "payment_intent.payment_failed", "payment_intent.canceled", "charge.refunded", "invoice.paid"} {
		f.Add(stripeEvent("evt_f_"+typ, typ, id), true, "")
		f.Add(stripeEvent("evt_f_"+typ, typ, id), false, "t=1,v1=abc")
	}
	f.Add(`{"id":"evt_x","type":"charge.refunded","data":{"object":{"payment_intent":{"id":5}}}}`, true, "")
	f.Add(`{}`, true, "")
	f.Add("\x00\xff", false, "")
	h := s.app.Handler()
	f.Fuzz(func(t *testing.T, body string, sign bool, header string) {
		if sign {
			header = stripeSignature(body, testWhsec, time.Now())
		}
		before := countPaymentEvents(t, h, id, token)
		req := httptest.NewRequest("POST", "/api/v1/webhooks/stripe", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		if !strings.ContainsAny(header, "\r\n\x00") {
			req.Header.Set("Stripe-Signature", header)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code >= 500 && rec.Code != http.StatusServiceUnavailable {
			t.Fatalf("%q: %d %s", body, rec.Code, rec.Body)
		}
		if rec.Code != http.StatusOK && rec.Header().Get("Content-Type") != "application/problem+json" {
			t.Fatalf("%q: error %d is not problem+json: %s", body, rec.Code, rec.Body)
		}
		if !sign {
			if rec.Code == http.StatusOK {
				t.Fatalf("unsigned delivery accepted: %q %q", body, header)
			}
			if after := countPaymentEvents(t, h, id, token); after != before {
				t.Fatalf("unsigned delivery recorded: %d events, were %d", after, before)
			}
		}
	})
}

// countPaymentEvents counts an order's payment_event steps in-process (a
// fuzz function may not use the shop's *testing.F).
func countPaymentEvents(t *testing.T, h http.Handler, id, token string) int {
	t.Helper()
	req := httptest.NewRequest("GET", "/api/v1/orders/"+id, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	var o struct{ Timeline []struct{ Step string } }
	if err := json.Unmarshal(rec.Body.Bytes(), &o); rec.Code != http.StatusOK || err != nil {
		t.Fatalf("order: %d %v", rec.Code, err)
	}
	n := 0
	for _, st := range o.Timeline {
		if st.Step == "payment_event" {
			n++
		}
	}
	return n
}
