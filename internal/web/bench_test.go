package web_test

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

// BenchmarkProductPage serves a product page through the whole shop's
// handler in-process, page cache on: the cost the shop adds per request on
// top of the network. scripts/bench-storefront.sh measures it over the wire
// against nginx.
func BenchmarkProductPage(b *testing.B) {
	s := startShopWith(b, func(ttl *int) { *ttl = 1 })
	h := s.app.Handler()
	req := httptest.NewRequest("GET", "/products/wool-beanie", nil)
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		w := &discard{h: http.Header{}}
		for pb.Next() {
			clear(w.h)
			h.ServeHTTP(w, req)
			if w.code != http.StatusOK {
				b.Fatalf("status %d", w.code)
			}
		}
	})
}

// discard is a ResponseWriter that keeps nothing, so the benchmark measures
// the handler and not a recorder.
type discard struct {
	h    http.Header
	code int
}

func (d *discard) Header() http.Header         { return d.h }
func (d *discard) Write(b []byte) (int, error) { return len(b), nil }
func (d *discard) WriteHeader(code int)        { d.code = code }
