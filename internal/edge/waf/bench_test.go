package waf

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"syscall"
	"testing"
	"time"
)

var okHandler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {})

// benchWAF reports the rule set's cost per request in microseconds, next to
// the same request with no WAF, so the difference is the overhead. Besides
// wall time (us/req) it reports the process's CPU time per request
// (cpu-us/req, garbage collection included): on a machine shared with
// other work the wall time mostly measures waiting for a core, the CPU
// time much less so.
func benchWAF(b *testing.B, h http.Handler, mk func() *http.Request) {
	b.ReportAllocs()
	var cpu0 time.Duration
	for b.Loop() {
		if cpu0 == 0 {
			cpu0 = processCPU()
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, mk())
		if rec.Code != 200 {
			b.Fatalf("status %d", rec.Code)
		}
	}
	b.ReportMetric(float64((processCPU()-cpu0).Microseconds())/float64(b.N), "cpu-us/req")
	b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N), "us/req")
}

// processCPU is the user and system CPU time the process has used.
func processCPU() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func benignGET() *http.Request {
	return browserRequest("GET", "/products/42-mens-running-shoes?color=red&size=44", "", "")
}

func jsonPOST2K() *http.Request {
	var sb strings.Builder
	sb.WriteString(`{"cart_id":"c_01HZX","items":[`)
	for i := 0; sb.Len() < 1900; i++ {
		if i > 0 {
			sb.WriteByte(',')
		}
		sb.WriteString(`{"product_id":"prod_4211","variant":"44-red","quantity":2,"note":"gift wrap please"}`)
	}
	sb.WriteString(`]}`)
	r := browserRequest("POST", "/api/v1/cart/items", sb.String(), "application/json")
	r.Header.Set("Accept", "application/json")
	return r
}

// jsonPOST2KFlat is a checkout-like 2 KB body: few fields, long text.
func jsonPOST2KFlat() *http.Request {
	note := strings.Repeat("Please leave the parcel with the neighbour at number 14 if nobody answers. ", 22)
	body := `{"cart_id":"c_01HZX","email":"ann@example.com","shipping":{"name":"Ann Smith","line1":"12 Baker Row","city":"London","postcode":"NW1 6XE","country":"GB"},"payment":{"method":"card","token":"tok_visa_4242"},"notes":"` + note + `"}`
	r := browserRequest("POST", "/api/v1/checkout", body, "application/json")
	r.Header.Set("Accept", "application/json")
	return r
}

// jsonAddToCart is the API's hottest POST: about 80 bytes.
func jsonAddToCart() *http.Request {
	r := browserRequest("POST", "/api/v1/cart/items", `{"product_id":"prod_42","variant":"44-red","quantity":2}`, "application/json")
	r.Header.Set("Accept", "application/json")
	return r
}

func BenchmarkWAF(b *testing.B) {
	rs, err := blockingRuleSet()
	if err != nil {
		b.Fatal(err)
	}
	if n := jsonPOST2K().ContentLength; n < 1900 || n > 2100 {
		b.Fatalf("JSON body is %d bytes, want about 2 KB", n)
	}
	g, err := NewGuard(GuardConfig{Deny: []string{"203.0.113.0/24"}, Match: []MatchRule{{Name: "dotfiles", Pattern: `/\.(git|env)`}}}, rs.logger)
	if err != nil {
		b.Fatal(err)
	}
	b.Run("GET/none", func(b *testing.B) { benchWAF(b, okHandler, benignGET) })
	b.Run("GET/guard", func(b *testing.B) { benchWAF(b, g.Middleware(okHandler), benignGET) })
	b.Run("GET/crs", func(b *testing.B) { benchWAF(b, rs.Middleware(okHandler), benignGET) })
	b.Run("POST2K/none", func(b *testing.B) { benchWAF(b, okHandler, jsonPOST2K) })
	b.Run("POST2K/crs", func(b *testing.B) { benchWAF(b, rs.Middleware(okHandler), jsonPOST2K) })
	b.Run("POSTcart/crs", func(b *testing.B) { benchWAF(b, rs.Middleware(okHandler), jsonAddToCart) })
	b.Run("POST2Kflat/none", func(b *testing.B) { benchWAF(b, okHandler, jsonPOST2KFlat) })
	b.Run("POST2Kflat/crs", func(b *testing.B) { benchWAF(b, rs.Middleware(okHandler), jsonPOST2KFlat) })
}
