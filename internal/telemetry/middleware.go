package telemetry

import (
	"github.com/peakshop/peakshop/internal/platform/httpstatus"
	"net/http"
	"strings"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"
)

// tracerName is the instrumentation scope of the shop's server spans.
const tracerName = "github.com/peakshop/peakshop/internal/telemetry"

// middleware gives every request an id (X-Request-Id, echoed back) and a
// server span that continues the caller's W3C trace and takes its baggage
// (synthetic=true among it). After routing, the span is named by the
// ServeMux pattern and gets http.route, so names and routes stay bounded.
//
// This is a lean equivalent of otelhttp's handler, written here because the
// product API must not lose more than 5% of its requests/s to
// instrumentation: otelhttp builds its full attribute set and metric
// attributes for every request, sampled or not (about 50 allocations and
// several microseconds, measured in internal/app's
// BenchmarkInstrumentationOverhead). Here a request that is not recorded
// costs a header parse and no span at all (admission in sampler.go bounds
// how many are recorded), and a recorded one four attributes.
// The span follows the same semantic conventions (http.request.method,
// url.path, http.route, http.response.status_code, error status on 5xx).
//
// Operational endpoints (/metrics, health checks, the console and its data)
// are not traced: they are polled every few seconds and would push the
// shop's traffic out of the ring; the console's sign-in also carries the
// admin token in its query.
func (t *Telemetry) middleware(next http.Handler) http.Handler {
	tracer := t.tp.Tracer(tracerName)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var id string
		if v := r.Header[RequestIDHeader]; len(v) > 0 && validRequestID(v[0]) { // canonical name: no allocation to look it up
			id = v[0]
		} else {
			id = t.ids.next()
		}
		ctx := withRequestIDHeader(r.Context(), w.Header(), id)
		if !traced(r) {
			next.ServeHTTP(w, r.WithContext(ctx))
			return
		}
		if hasTraceHeaders(r.Header) {
			ctx = t.propagator.Extract(ctx, canonicalCarrier(r.Header))
		}
		if parent := trace.SpanContextFromContext(ctx); !parent.IsSampled() && !t.admission.admit() {
			// Not recorded: no span at all. The caller's trace id (if any)
			// stays in ctx, so logs still carry it and calls onward still
			// propagate it.
			next.ServeHTTP(w, r.WithContext(ctx))
			return
		}
		ctx, span := tracer.Start(ctx, r.Method, trace.WithSpanKind(trace.SpanKindServer))
		defer span.End()
		rec := &httpstatus.Recorder{ResponseWriter: w}
		r = r.WithContext(ctx) // the mux records the matched pattern on this request
		next.ServeHTTP(rec, r)
		if !span.IsRecording() {
			return
		}
		status := rec.Status()
		attrs := []attribute.KeyValue{
			attribute.String("http.request.method", r.Method),
			attribute.String("url.path", r.URL.Path),
			attribute.Int("http.response.status_code", status),
		}
		if r.Pattern != "" {
			span.SetName(r.Pattern)
			attrs = append(attrs, attribute.String("http.route", routeOf(r.Pattern)))
		}
		span.SetAttributes(attrs...)
		if status >= 500 {
			span.SetStatus(codes.Error, http.StatusText(status))
		}
	})
}

func traced(r *http.Request) bool {
	p := r.URL.Path
	return p != "/metrics" && p != "/healthz" && p != "/readyz" && !strings.HasPrefix(p, "/console")
}

// routeOf strips the method from a ServeMux pattern ("GET /a/{id}" -> "/a/{id}").
func routeOf(pattern string) string {
	if i := strings.IndexByte(pattern, ' '); i >= 0 {
		return pattern[i+1:]
	}
	return pattern
}

// Canonical forms of the W3C headers, so reading them allocates nothing:
// http.Header.Get canonicalises the propagator's lower-case names on every
// call, an allocation each.
const (
	hdrTraceparent = "Traceparent"
	hdrTracestate  = "Tracestate"
	hdrBaggage     = "Baggage"
)

// hasTraceHeaders reports whether the caller sent a trace context or
// baggage; most shoppers' browsers send neither, and then there is
// nothing to extract.
func hasTraceHeaders(h http.Header) bool {
	return len(h[hdrTraceparent]) > 0 || len(h[hdrBaggage]) > 0
}

// canonicalCarrier reads the W3C headers by their canonical names (the
// server canonicalises incoming names) and anything else as http.Header does.
type canonicalCarrier http.Header

func (c canonicalCarrier) Get(key string) string {
	var v []string
	switch key {
	case "traceparent":
		v = c[hdrTraceparent]
	case "tracestate":
		v = c[hdrTracestate]
	case "baggage":
		v = c[hdrBaggage]
	default:
		return http.Header(c).Get(key)
	}
	if len(v) == 0 {
		return ""
	}
	return v[0]
}

func (c canonicalCarrier) Set(key, value string) { http.Header(c).Set(key, value) }

func (c canonicalCarrier) Keys() []string { return propagation.HeaderCarrier(c).Keys() }
