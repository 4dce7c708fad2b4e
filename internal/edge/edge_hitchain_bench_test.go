package edge

import (
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
)

// BenchmarkEdgeHitChain is a cache hit of the 5.6 KB bench page through the
// whole public handler as `peakshop edge` runs it (request id, client
// address, guard, rate rules, waiting room, cache; the rule set is never
// reached on a hit), with the headers wrk and a browser send. Unlike
// BenchmarkEdgeCacheHit it keeps the rate rules on, so their per-request
// cost shows in the profile.
func BenchmarkEdgeHitChain(b *testing.B) {
	page := benchPage(80)
	e := benchEdge(b, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Cache-Control", "public, s-maxage=3600")
		w.Header().Set("Surrogate-Key", "product-42")
		io.WriteString(w, page)
	}))
	h := e.Handler()
	for _, tc := range []struct{ name, accept, encoding string }{
		{"wrk", "*/*", ""},
		{"browser", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", "gzip, deflate, br, zstd"},
	} {
		b.Run(tc.name, func(b *testing.B) {
			mk := func() *http.Request {
				r := httptest.NewRequest(http.MethodGet, "http://shop.test/products/42.html", nil)
				r.RemoteAddr = "192.0.2.10:40000"
				r.Header.Set("User-Agent", "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0")
				r.Header.Set("Accept", tc.accept)
				if tc.encoding != "" {
					r.Header.Set("Accept-Encoding", tc.encoding)
				}
				return r
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, mk())
			h.ServeHTTP(rec, mk())
			if rec.Header().Get("X-Cache") != "HIT" {
				b.Fatalf("warm-up: X-Cache %q", rec.Header().Get("X-Cache"))
			}
			b.ReportAllocs()
			// Process CPU per hit: what the edge costs, less swayed than
			// ns/op by other work on a shared machine.
			cpu0 := processCPU()
			defer func() {
				b.ReportMetric(float64((processCPU()-cpu0).Nanoseconds())/float64(b.N), "cpu-ns/op")
			}()
			serveParallel(b, h, mk)
		})
	}
}
