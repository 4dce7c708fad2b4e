package telemetry_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/peakshop/peakshop/internal/telemetry"
)

// BenchmarkMiddleware is what the middleware itself costs a request, on a
// handler that does nothing: untraced (the common case at peak, once the
// per-second trace budget is spent), with a caller's traceparent and
// baggage to extract, and traced (a span into the ring).
//
//	go test -run '^$' -bench Middleware -benchmem ./internal/telemetry/
func BenchmarkMiddleware(b *testing.B) {
	noop := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusOK) })
	for _, c := range []struct {
		name    string
		perSec  int
		headers map[string]string
	}{
		{"untraced", 1, nil},
		{"untraced-with-baggage", 1, map[string]string{"Baggage": "synthetic=true"}},
		{"traced", 1 << 30, nil},
	} {
		b.Run(c.name, func(b *testing.B) {
			tel, err := telemetry.New(context.Background(), telemetry.Options{TracesPerSecond: c.perSec, RingSpans: 1024})
			if err != nil {
				b.Fatal(err)
			}
			defer tel.Shutdown(context.Background())
			h := tel.Middleware(noop)
			req := httptest.NewRequest("GET", "/api/v1/products/p", nil)
			for k, v := range c.headers {
				req.Header.Set(k, v)
			}
			w := &discardWriter{h: http.Header{}}
			h.ServeHTTP(w, req) // spend the one-request burst
			b.ReportAllocs()
			for b.Loop() {
				clear(w.h)
				h.ServeHTTP(w, req)
			}
		})
	}
}

// discardWriter is a ResponseWriter that keeps nothing, so the benchmark
// measures the middleware rather than a recorder.
type discardWriter struct{ h http.Header }

func (d *discardWriter) Header() http.Header         { return d.h }
func (d *discardWriter) Write(p []byte) (int, error) { return len(p), nil }
func (d *discardWriter) WriteHeader(int)             {}
