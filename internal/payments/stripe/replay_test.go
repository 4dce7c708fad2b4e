package stripe_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/peakshop/peakshop/internal/domain/payment"
	"github.com/peakshop/peakshop/internal/payments/stripe"
	"github.com/peakshop/peakshop/internal/payments/stripe/stripetest"
)

// stickyStripe fakes the calls the stuck-key paths make, with Stripe's
// idempotency cache: the first answer to a key, a 5xx included, is kept
// and replayed to every later request with it (Idempotent-Replayed: true).
// A fake because stripe-mock cannot be made to answer 500 nor keeps state;
// TestStuckAuthorizeAgainstStripeMock checks the derived-key requests
// against stripe-mock's validation.
type stickyStripe struct {
	mu sync.Mutex
	// fail maps an idempotency key to how its first call fails: "before"
	// (500, nothing done) or "after" (the work done, then 500).
	fail    map[string]string
	failAll string // a key suffix every call with which fails "before"
	hideNew bool   // new intents stay out of search (index lag)
	cache   map[string][2]string
	intents map[string]*fakeIntent
	ids     []string
	hidden  map[string]bool
	refunds map[string]int
	calls   []string
}

type fakeIntent struct {
	ID       string            `json:"id"`
	Object   string            `json:"object"`
	Status   string            `json:"status"`
	Amount   int64             `json:"amount"`
	Currency string            `json:"currency"`
	Metadata map[string]string `json:"metadata"`
}

func newSticky(fail map[string]string) *stickyStripe {
	return &stickyStripe{fail: fail, cache: map[string][2]string{}, intents: map[string]*fakeIntent{},
		hidden: map[string]bool{}, refunds: map[string]int{}}
}

func (f *stickyStripe) start(tb testing.TB) string {
	srv := httptest.NewServer(http.HandlerFunc(f.serve))
	tb.Cleanup(srv.Close)
	return srv.URL
}

func (f *stickyStripe) serve(w http.ResponseWriter, r *http.Request) {
	_ = r.ParseForm()
	f.mu.Lock()
	defer f.mu.Unlock()
	key := r.Header.Get("Idempotency-Key")
	f.calls = append(f.calls, r.Method+" "+r.URL.Path+" key="+key)
	w.Header().Set("Content-Type", "application/json")
	if c, ok := f.cache[key]; ok && key != "" {
		w.Header().Set("Idempotent-Replayed", "true")
		writeStatus(w, c[0], c[1])
		return
	}
	mode := f.fail[key]
	if f.failAll != "" && strings.HasSuffix(key, f.failAll) {
		mode = "before"
	}
	status, body := "500", `{"error":{"type":"api_error","message":"An unknown error occurred"}}`
	if mode != "before" {
		s, b := f.do(r)
		if mode == "" {
			status, body = s, b
		}
	}
	if key != "" {
		f.cache[key] = [2]string{status, body}
	}
	writeStatus(w, status, body)
}

func writeStatus(w http.ResponseWriter, status, body string) {
	code := map[string]int{"200": 200, "400": 400, "404": 404, "500": 500}[status]
	w.WriteHeader(code)
	_, _ = io.WriteString(w, body)
}

// do is the work of one call on the fake's state.
func (f *stickyStripe) do(r *http.Request) (string, string) {
	path := strings.TrimPrefix(r.URL.Path, "/v1/")
	id, action, _ := strings.Cut(strings.TrimPrefix(path, "payment_intents/"), "/")
	switch {
	case r.Method == "POST" && path == "payment_intents":
		pi := &fakeIntent{ID: fmt.Sprintf("pi_%d", len(f.ids)+1), Object: "payment_intent", Status: "requires_capture", Amount: 500, Currency: "usd",
			Metadata: map[string]string{}}
		for k, v := range r.PostForm {
			if name, ok := strings.CutPrefix(k, "metadata["); ok {
				pi.Metadata[strings.TrimSuffix(name, "]")] = v[0]
			}
		}
		f.intents[pi.ID] = pi
		f.ids = append(f.ids, pi.ID)
		f.hidden[pi.ID] = f.hideNew
		return "200", toJSON(pi)
	case r.Method == "GET" && path == "payment_intents/search":
		var data []*fakeIntent
		for _, id := range f.ids {
			if !f.hidden[id] && strings.Contains(r.Form.Get("query"), "'"+f.intents[id].Metadata["idempotency_key"]+"'") {
				data = append(data, f.intents[id])
			}
		}
		return "200", toJSON(map[string]any{"object": "search_result", "data": data, "has_more": false})
	case r.Method == "POST" && path == "refunds":
		pi := r.PostForm.Get("payment_intent")
		if f.refunds[pi] > 0 {
			return "400", `{"error":{"type":"invalid_request_error","code":"charge_already_refunded"}}`
		}
		f.refunds[pi]++
		return "200", `{"id":"re_1","object":"refund","status":"succeeded","payment_intent":"` + pi + `"}`
	case r.Method == "GET" && path == "refunds":
		var data []map[string]string
		for range f.refunds[r.Form.Get("payment_intent")] {
			data = append(data, map[string]string{"id": "re_1", "object": "refund", "status": "succeeded"})
		}
		return "200", toJSON(map[string]any{"object": "list", "data": data, "has_more": false})
	}
	pi, ok := f.intents[id]
	if !ok {
		return "404", `{"error":{"type":"invalid_request_error","code":"resource_missing"}}`
	}
	from, to := map[string][2]string{"capture": {"requires_capture", "succeeded"}, "cancel": {"requires_capture", "canceled"}, "": {pi.Status, pi.Status}}[action][0],
		map[string]string{"capture": "succeeded", "cancel": "canceled", "": pi.Status}[action]
	if pi.Status != from {
		return "400", `{"error":{"type":"invalid_request_error","code":"payment_intent_unexpected_state"}}`
	}
	pi.Status = to
	return "200", toJSON(pi)
}

func toJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

func (f *stickyStripe) statuses() map[string]string {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := map[string]string{}
	for id, pi := range f.intents {
		out[id] = pi.Status
	}
	return out
}

func (f *stickyStripe) called() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return strings.Join(f.calls, "\n")
}

func (f *stickyStripe) captured() int {
	n := 0
	for _, s := range f.statuses() {
		if s == "succeeded" {
			n++
		}
	}
	return n
}

func chargeO(g *stripe.Gateway) (payment.Receipt, error) {
	return g.Charge(context.Background(), payment.ChargeRequest{IdempotencyKey: "o:charge", OrderID: "o", Amount: fiveDollars, Token: "pm_card_visa"})
}

// An authorization whose key is stuck on a 500 moves to a derived key once
// Stripe shows no intent for the order, and a later retry finds the charge
// the derived key made instead of making another.
func TestStuckAuthorizeMovesToADerivedKey(t *testing.T) {
	f := newSticky(map[string]string{"o:charge:authorize": "before"})
	g := mustGateway(t, stripe.Config{URL: f.start(t)})
	// The first 500 is Stripe's advice to retry with the same key: no new
	// key yet.
	if _, err := chargeO(g); !errors.Is(err, payment.ErrUnavailable) {
		t.Fatalf("first attempt: err = %v, want ErrUnavailable", err)
	}
	if strings.Contains(f.called(), ":r1") {
		t.Fatalf("a derived key on the first 500:\n%s", f.called())
	}
	r, err := chargeO(g)
	if err != nil {
		t.Fatalf("retry: %v\n%s", err, f.called())
	}
	again, err := chargeO(g)
	if err != nil || again != r {
		t.Fatalf("third attempt = %+v, %v; want %+v", again, err, r)
	}
	calls := f.called()
	for _, w := range []string{"GET /v1/payment_intents/search", "POST /v1/payment_intents key=o:charge:r1:authorize", "key=o:charge:r1:capture"} {
		if !strings.Contains(calls, w) {
			t.Errorf("no %q in\n%s", w, calls)
		}
	}
	if strings.Contains(calls, ":r2") || f.captured() != 1 || len(f.statuses()) != 1 {
		t.Errorf("intents %v, want one captured under r1; calls:\n%s", f.statuses(), calls)
	}
}

// A 500 after Stripe made the intent leaves an orphan hold no caller can
// capture (every replay is the 500): it is voided, the charge made once
// under the derived key, including when the search index lags behind.
func TestStuckAuthorizeThatMadeAHold(t *testing.T) {
	for _, lag := range []bool{false, true} {
		t.Run(fmt.Sprint("lag=", lag), func(t *testing.T) {
			f := newSticky(map[string]string{"o:charge:authorize": "after"})
			f.hideNew = lag
			g := mustGateway(t, stripe.Config{URL: f.start(t)})
			if _, err := chargeO(g); !errors.Is(err, payment.ErrUnavailable) {
				t.Fatalf("first attempt: err = %v", err)
			}
			r, err := chargeO(g)
			if err != nil || r.ChargeID != "pi_2" {
				t.Fatalf("retry = %+v, %v; want pi_2", r, err)
			}
			if lag {
				// The search missed the orphan: it is held, never captured.
				if s := f.statuses(); s["pi_1"] != "requires_capture" {
					t.Fatalf("intents %v", s)
				}
				// A duplicate run of the step while the index shows the
				// orphan but not yet the charge: the orphan is voided, and
				// the derived key's replays answer the charge already made.
				f.mu.Lock()
				f.hidden["pi_1"], f.hidden["pi_2"] = false, true
				f.mu.Unlock()
				if dup, err := chargeO(g); err != nil || dup != r {
					t.Fatalf("duplicate run = %+v, %v; want %+v", dup, err, r)
				}
			}
			if s := f.statuses(); s["pi_1"] != "canceled" || s["pi_2"] != "succeeded" || len(s) != 2 {
				t.Errorf("intents %v, want pi_1 voided and pi_2 captured; calls:\n%s", s, f.called())
			}
			if !strings.Contains(f.called(), "POST /v1/payment_intents/pi_1/cancel key=o:charge:cancel") {
				t.Errorf("orphan not voided with its generation's key:\n%s", f.called())
			}
		})
	}
}

// Lookup, once the index has caught up, reports the derived key's charge
// and voids the orphan the charging call's search missed.
func TestLookupVoidsAnOrphanBesideTheCharge(t *testing.T) {
	f := newSticky(map[string]string{"o:charge:authorize": "after"})
	f.hideNew = true
	g := mustGateway(t, stripe.Config{URL: f.start(t)})
	_, _ = chargeO(g)
	r, err := chargeO(g)
	if err != nil {
		t.Fatal(err)
	}
	f.mu.Lock()
	clear(f.hidden)
	f.mu.Unlock()
	got, found, err := g.Lookup(context.Background(), "o:charge")
	if err != nil || !found || got.ChargeID != r.ChargeID {
		t.Fatalf("lookup = %+v, %v, %v; want %s", got, found, err, r.ChargeID)
	}
	if s := f.statuses(); s["pi_1"] != "canceled" || s["pi_2"] != "succeeded" {
		t.Errorf("intents %v", s)
	}
}

// A Stripe failing every key leaves the order unpaid after a bounded
// number of generations, never an unbounded walk.
func TestDerivedKeysAreBounded(t *testing.T) {
	f := newSticky(nil)
	f.failAll = ":authorize"
	g := mustGateway(t, stripe.Config{URL: f.start(t), BreakerFailures: 1000})
	for range 10 {
		if _, err := chargeO(g); !errors.Is(err, payment.ErrUnavailable) {
			t.Fatalf("err = %v, want ErrUnavailable", err)
		}
	}
	calls := f.called()
	if !strings.Contains(calls, "o:charge:r3:authorize") || strings.Contains(calls, "o:charge:r4") {
		t.Errorf("want generations up to r3 and no further:\n%s", calls)
	}
	if len(f.statuses()) != 0 {
		t.Errorf("intents %v", f.statuses())
	}
}

// A capture, refund or cancel stuck on a 500 reads Stripe's state of the
// object: done already (the 500 came after the work) is done; not done is
// tried again under a derived key. Stripe allows each once per intent, so
// neither path moves money twice.
func TestStuckCaptureRefundCancel(t *testing.T) {
	for _, mode := range []string{"before", "after"} {
		t.Run("capture/"+mode, func(t *testing.T) {
			f := newSticky(map[string]string{"o:charge:capture": mode})
			g := mustGateway(t, stripe.Config{URL: f.start(t)})
			if _, err := chargeO(g); !errors.Is(err, payment.ErrUnavailable) {
				t.Fatalf("first attempt: err = %v", err)
			}
			r, err := chargeO(g)
			if err != nil || r.ChargeID != "pi_1" {
				t.Fatalf("retry = %+v, %v", r, err)
			}
			if derived := strings.Contains(f.called(), "o:charge:capture:r1"); derived != (mode == "before") || f.captured() != 1 {
				t.Errorf("intents %v; calls:\n%s", f.statuses(), f.called())
			}
		})
		t.Run("refund/"+mode, func(t *testing.T) {
			f := newSticky(map[string]string{"o:refund": mode})
			g := mustGateway(t, stripe.Config{URL: f.start(t)})
			r, err := chargeO(g)
			if err != nil {
				t.Fatal(err)
			}
			if err := g.Refund(context.Background(), r.ChargeID, "o:refund"); !errors.Is(err, payment.ErrUnavailable) {
				t.Fatalf("first attempt: err = %v", err)
			}
			for range 2 {
				if err := g.Refund(context.Background(), r.ChargeID, "o:refund"); err != nil {
					t.Fatalf("retry: %v\n%s", err, f.called())
				}
			}
			f.mu.Lock()
			defer f.mu.Unlock()
			if f.refunds[r.ChargeID] != 1 {
				t.Errorf("%d refunds, want 1", f.refunds[r.ChargeID])
			}
		})
		t.Run("cancel/"+mode, func(t *testing.T) {
			f := newSticky(map[string]string{"o:charge:capture": "before", "o:void": mode})
			g := mustGateway(t, stripe.Config{URL: f.start(t)})
			_, _ = chargeO(g) // an authorization, its capture failed
			if err := g.Cancel(context.Background(), "pi_1", "o:void"); !errors.Is(err, payment.ErrUnavailable) {
				t.Fatalf("first attempt: err = %v", err)
			}
			if err := g.Cancel(context.Background(), "pi_1", "o:void"); err != nil {
				t.Fatalf("retry: %v\n%s", err, f.called())
			}
			if s := f.statuses()["pi_1"]; s != "canceled" {
				t.Errorf("pi_1 is %s", s)
			}
		})
	}
}

// The derived generation's requests are ones Stripe accepts: stripe-mock
// validates them, behind a proxy that injects the 500 and its replay for
// the first generation's key (stripe-mock cannot fail on demand).
func TestStuckAuthorizeAgainstStripeMock(t *testing.T) {
	u, _ := url.Parse(stripetest.Start(t))
	rp := httputil.NewSingleHostReverseProxy(u)
	var mu sync.Mutex
	seen := map[string]int{}
	var log []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(body))
		form, _ := url.ParseQuery(string(body))
		key := r.Header.Get("Idempotency-Key")
		mu.Lock()
		log = append(log, r.Method+" "+r.URL.Path+" key="+key+" generation="+form.Get("metadata[generation]"))
		seen[key]++
		n := seen[key]
		mu.Unlock()
		if key == "ord3:charge:authorize" {
			if n > 1 {
				w.Header().Set("Idempotent-Replayed", "true")
			}
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusInternalServerError)
			_, _ = io.WriteString(w, `{"error":{"type":"api_error","message":"An unknown error occurred"}}`)
			return
		}
		rp.ServeHTTP(w, r)
	}))
	defer srv.Close()
	g := mustGateway(t, stripe.Config{URL: srv.URL})
	req := payment.ChargeRequest{IdempotencyKey: "ord3:charge", OrderID: "ord3", Amount: fiveDollars, Token: "pm_card_visa"}
	if _, err := g.Charge(context.Background(), req); !errors.Is(err, payment.ErrUnavailable) {
		t.Fatalf("first attempt: err = %v", err)
	}
	r, err := g.Charge(context.Background(), req)
	if err != nil || !strings.HasPrefix(r.ChargeID, "pi_") {
		t.Fatalf("retry = %+v, %v", r, err)
	}
	mu.Lock()
	defer mu.Unlock()
	joined := strings.Join(log, "\n")
	for _, w := range []string{"GET /v1/payment_intents/search", "POST /v1/payment_intents key=ord3:charge:r1:authorize generation=1", "key=ord3:charge:r1:capture"} {
		if !strings.Contains(joined, w) {
			t.Errorf("no %q in\n%s", w, joined)
		}
	}
}
