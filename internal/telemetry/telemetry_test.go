package telemetry_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/peakshop/peakshop/internal/platform/synthetic"
	"github.com/peakshop/peakshop/internal/telemetry"
)

func mustTelemetry(tb testing.TB) *telemetry.Telemetry {
	tb.Helper()
	tel, err := telemetry.New(context.Background(), telemetry.Options{Service: "test"})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = tel.Shutdown(context.Background()) })
	return tel
}

func TestScrub(t *testing.T) {
	for in, want := range map[string]string{
		"plain text":                        "plain text",
		"mail ada@example.com now":          "mail [redacted] now",
		"card 4242 4242 4242 4242 declined": "card [redacted] declined",
		"token tok_chargeDeclined":          "token [redacted]",
		"Authorization: Bearer abc.def":     "Authorization: [redacted]",
		"order 42 of 3 items":               "order 42 of 3 items",
	} {
		if got := telemetry.Scrub(in); got != want {
			t.Errorf("Scrub(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestRequestTraceAndLog sends a request with a traceparent, baggage
// synthetic=true and a request id through the middleware, and checks the
// span continues the trace, is named by route, and the handler's log line
// carries the ids, the synthetic marker and no e-mail.
func TestRequestTraceAndLog(t *testing.T) {
	tel := mustTelemetry(t)
	var logs bytes.Buffer
	logger := tel.Logger(slog.New(slog.NewJSONHandler(&logs, nil)))
	mux := http.NewServeMux()
	var sawSynthetic bool
	mux.HandleFunc("GET /items/{id}", func(w http.ResponseWriter, r *http.Request) {
		sawSynthetic = synthetic.FromContext(r.Context())
		logger.InfoContext(r.Context(), "serving", "email", "ada@example.com", "err", errors.New("no stock for ada@example.com"))
	})
	h := tel.Middleware(mux)
	req := httptest.NewRequest("GET", "/items/7?email=ada@example.com", nil)
	req.Header.Set("traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01")
	req.Header.Set("baggage", "synthetic=true")
	req.Header.Set("X-Request-Id", "edge-123")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)

	if got := rec.Header().Get("X-Request-Id"); got != "edge-123" {
		t.Errorf("X-Request-Id = %q, want the caller's", got)
	}
	if !sawSynthetic {
		t.Error("the handler did not see baggage synthetic=true")
	}
	var line map[string]any
	if err := json.Unmarshal(logs.Bytes(), &line); err != nil {
		t.Fatalf("log line %q: %v", logs.String(), err)
	}
	for k, want := range map[string]any{"trace_id": "0af7651916cd43dd8448eb211c80319c", "request_id": "edge-123", "synthetic": true, "email": "[redacted]", "err": "no stock for [redacted]"} {
		if line[k] != want {
			t.Errorf("log %s = %v, want %v", k, line[k], want)
		}
	}
	traces := tel.Traces.Recent(10)
	if len(traces) != 1 || len(traces[0].Spans) != 1 {
		t.Fatalf("want one trace of one span, got %+v", traces)
	}
	s := traces[0].Spans[0]
	if s.TraceID != "0af7651916cd43dd8448eb211c80319c" || s.ParentID != "b7ad6b7169203331" {
		t.Errorf("span does not continue the caller's trace: %+v", s)
	}
	if s.Name != "GET /items/{id}" || s.Attributes["http.route"] != "/items/{id}" {
		t.Errorf("span name %q route %q, want the pattern", s.Name, s.Attributes["http.route"])
	}
	for k, v := range s.Attributes {
		if strings.Contains(v, "ada@") || k == "client.address" || k == "user_agent.original" {
			t.Errorf("span attribute %s=%s leaks personal data", k, v)
		}
	}
}

func TestGeneratedRequestIDsAndSkippedPaths(t *testing.T) {
	tel := mustTelemetry(t)
	h := tel.Middleware(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	ids := map[string]bool{}
	for _, path := range []string{"/a", "/metrics", "/console/api/state?token=secret"} {
		rec := httptest.NewRecorder()
		req := httptest.NewRequest("GET", path, nil)
		req.Header.Set("X-Request-Id", "bad id\nwith newline")
		h.ServeHTTP(rec, req)
		id := rec.Header().Get("X-Request-Id")
		if id == "" || strings.ContainsAny(id, " \n") || ids[id] {
			t.Errorf("%s: request id %q is not a fresh safe id", path, id)
		}
		ids[id] = true
	}
	if n := len(tel.Traces.Spans()); n != 1 {
		t.Errorf("%d spans; want only /a traced (metrics and console are not)", n)
	}
}

func TestServiceMap(t *testing.T) {
	tel := mustTelemetry(t)
	tracer := tel.TracerProvider().Tracer("test")
	h := tel.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, span := tracer.Start(r.Context(), "query")
		span.End()
	}))
	h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/x", nil))
	m := tel.Traces.ServiceMap()
	if len(m.Edges) != 1 || m.Edges[0].From != "clients" || m.Edges[0].To != "test" || m.Edges[0].Calls != 1 {
		t.Fatalf("service map %+v, want clients -> test once", m)
	}
}
