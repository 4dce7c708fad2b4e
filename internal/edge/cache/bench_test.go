package cache

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// discardWriter is a minimal ResponseWriter so the benchmark measures the
// cache, not httptest's recorder.
type discardWriter struct{ h http.Header }

func (d *discardWriter) Header() http.Header         { return d.h }
func (d *discardWriter) Write(p []byte) (int, error) { return len(p), nil }
func (d *discardWriter) WriteHeader(int)             {}

func BenchmarkCacheHit(b *testing.B) {
	h := mustHarness(b, Config{})
	page := strings.Repeat("x", 16<<10)
	h.origin.set(answer(200, page, "Cache-Control", "max-age=3600", "Content-Type", "text/html", "ETag", `"p1"`))
	req := httptest.NewRequest("GET", "/products/42?utm_source=x", nil)
	h.h.ServeHTTP(httptest.NewRecorder(), req)
	b.ReportAllocs()
	b.SetBytes(int64(len(page)))
	b.RunParallel(func(pb *testing.PB) {
		w := &discardWriter{h: http.Header{}}
		for pb.Next() {
			clear(w.h)
			h.h.ServeHTTP(w, req)
		}
	})
	if h.origin.hits.Load() != 1 {
		b.Fatalf("origin hits %d", h.origin.hits.Load())
	}
}
