package app_test

import (
	"context"
	"encoding/json"
	"net/http"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/peakshop/peakshop/internal/app"
	"github.com/peakshop/peakshop/internal/domain/account"
	"github.com/peakshop/peakshop/internal/messaging/jetstream"
	"github.com/peakshop/peakshop/internal/platform/synthetic"
	"github.com/peakshop/peakshop/internal/telemetry"
)

// withPipeline runs the order pipeline (embedded JetStream, relay,
// subscribers) in the observed shop, with scrape caches short enough for a
// test to see its own traffic.
func withPipeline(c *app.Config) {
	c.Pipeline.Off = false
	c.Telemetry.ScrapeCacheTTL = 50 * time.Millisecond
}

// syntheticCart opens a cart as the load tool does (baggage synthetic=true).
func (s *shop) syntheticCart(items map[string]int) string {
	s.t.Helper()
	var c struct{ ID string }
	s.mustStatus(s.do("POST", "/api/v1/carts", nil, "baggage", "synthetic=true"), http.StatusCreated).decode(s.t, &c)
	for sku, q := range items {
		s.mustStatus(s.do("PUT", "/api/v1/carts/"+c.ID+"/items/"+sku, map[string]int{"quantity": q}, "baggage", "synthetic=true"), http.StatusOK)
	}
	return c.ID
}

// TestCheckoutTraceReachesSubscribers checks one trace follows a checkout
// from the API through the outbox (stored with the row, continued by the
// relay's publish) and JetStream to every subscriber, in the in-memory
// ring the console reads; and that a synthetic checkout's marker crosses
// the queue, so the analytics subscriber keeps it out of the business
// figures.
func TestCheckoutTraceReachesSubscribers(t *testing.T) {
	s := startObservedShop(t, withPipeline)
	p := s.addProduct("traced", 1500, 10)
	sku := p.Variants[0].SKU
	var created struct {
		OrderID string `json:"order_id"`
	}
	s.mustStatus(s.do("POST", "/api/v1/checkout", checkoutBody(s.newCart(map[string]int{sku: 1}), "tok_visa"), "Idempotency-Key", "traced-1"), http.StatusCreated).decode(t, &created)
	s.mustStatus(s.do("POST", "/api/v1/checkout", checkoutBody(s.syntheticCart(map[string]int{sku: 2}), "tok_visa"),
		"Idempotency-Key", "traced-2", "baggage", "synthetic=true"), http.StatusCreated)

	// The checkout's trace, found by its order id on the publish span.
	var checkout, consumers []telemetry.Span
	deadline := time.Now().Add(30 * time.Second)
	for ; time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		spans := s.app.Telemetry.Traces.Spans()
		traceID := ""
		for _, sp := range spans {
			if sp.Kind == "producer" && sp.Attributes["messaging.message.id"] == created.OrderID+":order.placed" {
				traceID = sp.TraceID
			}
		}
		checkout, consumers = nil, nil
		for _, sp := range spans {
			if sp.TraceID != traceID {
				continue
			}
			switch {
			case sp.Name == "POST /api/v1/checkout":
				checkout = append(checkout, sp)
			case sp.Kind == "consumer":
				consumers = append(consumers, sp)
			}
		}
		// order.placed and order.paid (recorded by the same request) reach
		// analytics; order.paid reaches notifications too.
		if len(checkout) == 1 && len(consumers) >= 3 {
			break
		}
	}
	if len(checkout) != 1 || len(consumers) < 3 {
		t.Fatalf("checkout trace: %d server spans, %d subscriber spans (want 1 and 3)", len(checkout), len(consumers))
	}
	got := map[string]bool{}
	for _, c := range consumers {
		got[c.Attributes["messaging.consumer.group.name"]+" "+c.Attributes["messaging.destination.name"]] = true
	}
	for _, want := range []string{"analytics peakshop.events.order.placed", "analytics peakshop.events.order.paid", "notifications peakshop.events.order.paid"} {
		if !got[want] {
			t.Errorf("subscriber spans in the checkout's trace: %v; want %q among them", got, want)
		}
	}

	// The synthetic order reached analytics marked: counted apart, not in revenue.
	var counters map[string]int64
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		counters, _ = s.app.Store.Counters(context.Background())
		if counters["events.order.paid"] >= 1 && counters["synthetic.events.order.paid"] >= 1 {
			break
		}
	}
	if counters["events.order.paid"] != 1 || counters["revenue.usd"] != 1500 || counters["synthetic.events.order.paid"] != 1 {
		t.Errorf("analytics counters %v: want the real order only in events and revenue, the synthetic one apart", counters)
	}

	// order.shipped is recorded by the fulfillment workflow, minutes later
	// in real life: the marker must have travelled with the workflow too.
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		counters, _ = s.app.Store.Counters(context.Background())
		if counters["events.order.shipped"]+counters["synthetic.events.order.shipped"] >= 2 {
			break
		}
	}
	if counters["events.order.shipped"] != 1 || counters["synthetic.events.order.shipped"] != 1 {
		t.Errorf("analytics counters %v: want one real and one synthetic order.shipped", counters)
	}
}

// TestScrapeTimeMetrics checks the series read on scrape: queue depth, lag
// and dead letters from JetStream, the conversion funnel from the database
// (synthetic carts and sessions left out; SQLite, and PostgreSQL when
// PEAKSHOP_TEST_POSTGRES is set), the instance, and the edge's firewall and
// rate-rule blocks, with bounded labels.
func TestScrapeTimeMetrics(t *testing.T) {
	for name, dsn := range engines(t) {
		t.Run(name, func(t *testing.T) { testScrapeTimeMetrics(t, dsn(t)) })
	}
}

func testScrapeTimeMetrics(t *testing.T, dsn string) {
	s := startObservedShop(t, withPipeline, func(c *app.Config) {
		c.DB = dsn
		c.Edge.On = true
		c.Telemetry.CartAbandonAfter = time.Millisecond // every open cart counts as abandoned at once
	})
	p := s.addProduct("funnel", 1000, 10)
	sku := p.Variants[0].SKU
	s.mustStatus(s.do("POST", "/api/v1/checkout", checkoutBody(s.newCart(map[string]int{sku: 1}), "tok_visa"), "Idempotency-Key", "funnel-1"), http.StatusCreated)
	s.newCart(map[string]int{sku: 1})                // abandoned
	s.newCart(nil)                                   // empty: no cart in the funnel
	synth := s.syntheticCart(map[string]int{sku: 1}) // synthetic: left out
	s.mustStatus(s.do("POST", "/api/v1/checkout", checkoutBody(synth, "tok_visa"), "Idempotency-Key", "funnel-2", "baggage", "synthetic=true"), http.StatusCreated)
	ctx := context.Background()
	now := time.Now()
	shopper := s.newCart(map[string]int{sku: 1})
	if err := s.app.Store.CreateSession(ctx, account.Session{ID: "sess-shopper", CartID: shopper, CreatedAt: now, ExpiresAt: now.Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	if err := s.app.Store.CreateSession(synthetic.With(ctx), account.Session{ID: "sess-load", CartID: synth, CreatedAt: now, ExpiresAt: now.Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	// A firewall block (CRS) and a rate-rule block, carrying an e-mail
	// address that must not become a label.
	if r := s.do("GET", "/?q=%3Cscript%3Ealert(document.cookie)%3C%2Fscript%3E&e=ada%40example.org", nil); r.Status != http.StatusForbidden {
		t.Errorf("XSS probe: status %d, want 403 from the WAF", r.Status)
	}
	for i := 0; i < 25; i++ {
		s.do("POST", "/api/v1/auth/signin?e=ada%40example.org", map[string]string{"email": "ada@example.org"})
	}

	want := map[string]float64{
		`peakshop_funnel_carts{state="ordered"}`:                            1,
		`peakshop_funnel_carts{state="abandoned"}`:                          2,
		`peakshop_funnel_carts{state="active"}`:                             0,
		`peakshop_funnel_cart_abandonment_ratio`:                            2.0 / 3,
		`peakshop_funnel_sessions{state="all"}`:                             1,
		`peakshop_funnel_sessions{state="with_cart"}`:                       1,
		`peakshop_funnel_sessions{state="ordered"}`:                         0,
		`peakshop_funnel_session_conversion_ratio`:                          0,
		`peakshop_instance_up{role="app"}`:                                  1,
		`peakshop_queue_up`:                                                 1,
		`peakshop_queue_dead_letters{consumer="analytics"}`:                 0,
		`peakshop_waf_blocks_total{layer="crs",rule="949110"}`:              1,
		`peakshop_ratelimit_blocks_total{action="block",rule="api-signin"}`: 5,
	}
	var m string
	var missing []string
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		m = string(s.mustStatus(s.do("GET", "/metrics", nil), http.StatusOK).Body)
		missing = missing[:0]
		for series, v := range want {
			if got, ok := sample(m, series); !ok || abs(got-v) > 1e-9 {
				missing = append(missing, series+" = "+strconv.FormatFloat(v, 'g', -1, 64))
			}
		}
		if len(missing) == 0 && regexp.MustCompile(`peakshop_queue_consumer_lag_messages\{consumer="analytics"\} \d`).MatchString(m) {
			break
		}
	}
	for _, w := range missing {
		got, _ := sample(m, w[:strings.Index(w, " = ")])
		t.Errorf("/metrics: want %s, got %v", w, got)
	}
	if !strings.Contains(m, `peakshop_queue_stream_messages{stream="PEAKSHOP_EVENTS"}`) {
		t.Error("/metrics lacks the events stream's depth")
	}
	// Every label value of the new series is from a fixed vocabulary.
	labels := regexp.MustCompile(`(?m)^peakshop_(queue|funnel|instance|waf|ratelimit|edge)_\w+\{([^}]*)\}`)
	vocabulary := regexp.MustCompile(`^[a-z_]+="([a-z0-9_:.\-/]+|PEAKSHOP_[A-Z]+)"$`)
	for _, match := range labels.FindAllStringSubmatch(m, -1) {
		for _, kv := range strings.Split(match[2], ",") {
			if !vocabulary.MatchString(kv) || strings.Contains(kv, "@") || strings.Contains(kv, "script") {
				t.Errorf("label %s of %s is not from a bounded vocabulary", kv, match[0])
			}
		}
	}

	// The console charts them: instances, queue lag and WAF blocks are running.
	var state struct {
		Features map[string]bool `json:"features"`
	}
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		s.mustStatus(s.admin("GET", "/console/api/state", nil), http.StatusOK).decode(t, &state)
		if state.Features["queue"] && state.Features["instances"] && state.Features["waf"] {
			break
		}
	}
	if !state.Features["queue"] || !state.Features["instances"] || !state.Features["waf"] {
		b, _ := json.Marshal(state.Features)
		t.Errorf("console features %s: want queue, instances and waf running", b)
	}
}

// sample finds a series' value in Prometheus text (exact name and labels).
func sample(text, series string) (float64, bool) {
	for _, line := range strings.Split(text, "\n") {
		if rest, ok := strings.CutPrefix(line, series+" "); ok {
			v, err := strconv.ParseFloat(strings.TrimSpace(rest), 64)
			return v, err == nil
		}
	}
	return 0, false
}

func abs(f float64) float64 {
	if f < 0 {
		return -f
	}
	return f
}

// waitOutboxEmpty waits until the relay has published every event.
func waitOutboxEmpty(tb testing.TB, s *shop) {
	tb.Helper()
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if n, err := s.app.Store.OutboxBacklog(context.Background()); err == nil && n == 0 {
			return
		}
	}
	tb.Fatal("the outbox did not drain")
}

// natsHeaders opens a stopped shop's embedded JetStream and returns every
// header (name: value lines) of every message in its streams.
func natsHeaders(tb testing.TB, dataDir string) string {
	tb.Helper()
	ctx := context.Background()
	bus, err := jetstream.Open(ctx, jetstream.Config{StoreDir: filepath.Join(dataDir, "nats")})
	if err != nil {
		tb.Fatalf("reopen the shop's JetStream: %v", err)
	}
	defer bus.Close()
	var b strings.Builder
	for _, name := range []string{jetstream.EventsStream, jetstream.DeadStream} {
		st, err := bus.JetStream().Stream(ctx, name)
		if err != nil {
			tb.Fatal(err)
		}
		info, err := st.Info(ctx)
		if err != nil {
			tb.Fatal(err)
		}
		for seq := info.State.FirstSeq; seq > 0 && seq <= info.State.LastSeq; seq++ {
			m, err := st.GetMsg(ctx, seq)
			if err != nil {
				continue
			}
			for k, vs := range m.Header {
				for _, v := range vs {
					b.WriteString(k + ": " + v + "\n")
				}
			}
		}
	}
	return b.String()
}
