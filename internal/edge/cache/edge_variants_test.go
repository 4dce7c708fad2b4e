package cache

import (
	"fmt"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// TestVariantKeysRememberedOnMarker: the marker's remembered keys give the
// same storage key variantKey builds, for every variant, past the number
// the marker remembers and with multi-valued headers, so a remembered key
// can never send a request to another variant.
func TestVariantKeysRememberedOnMarker(t *testing.T) {
	m := &entry{marker: true, varyNames: []string{"Accept-Encoding", "Accept-Language"}}
	const primary = "shop.test/products/42"
	for round := range 2 { // the second round finds every key remembered or rebuilt
		for i := range 2 * maxVariantKeys {
			r := httptest.NewRequest("GET", "/products/42", nil)
			r.Header["Accept-Language"] = []string{fmt.Sprintf("l%d", i), "en;q=0.5"}
			r.Header.Set("Accept-Encoding", []string{"gzip, br", "gzip", ""}[i%3])
			want := variantKey(primary, m.varyNames, r)
			if got := m.variantKeyOf(primary, r); got != want {
				t.Fatalf("round %d, variant %d: key %q, want %q", round, i, got, want)
			}
		}
	}
	if n := len(*m.variantKeys.Load()); n != maxVariantKeys {
		t.Errorf("marker remembers %d keys, want the bound %d", n, maxVariantKeys)
	}
	// A value that is a prefix of another's must not match it.
	a := httptest.NewRequest("GET", "/", nil)
	a.Header.Set("Accept-Language", "l1")
	b := httptest.NewRequest("GET", "/", nil)
	b.Header.Set("Accept-Language", "l1x")
	if m.variantKeyOf(primary, a) == m.variantKeyOf(primary, b) {
		t.Error("l1 and l1x share a variant key")
	}
}

// TestHitAgeAndVaryThroughSharedFields: hits share the entry's header
// list, so a layer that appends to a hit's Vary must not change what the
// next hit sends, and Age still counts the seconds since the fetch.
func TestHitAgeAndVaryThroughSharedFields(t *testing.T) {
	h := mustHarness(t, Config{})
	h.origin.set(answer(200, "page", "Cache-Control", "max-age=60", "Vary", "Accept-Encoding"))
	h.do("GET", "/p", "Accept-Encoding", "gzip")
	for i := range 3 {
		h.clk.Advance(2 * time.Second)
		rec := httptest.NewRecorder()
		req := httptest.NewRequest("GET", "/p", nil)
		req.Header.Set("Accept-Encoding", "gzip")
		h.h.ServeHTTP(rec, req)
		expectXCache(t, rec, Hit, "page")
		if got, want := rec.Header().Get("Age"), fmt.Sprint(2*(i+1)); got != want {
			t.Errorf("hit %d: Age %q, want %q", i, got, want)
		}
		if v := strings.Join(rec.Header().Values("Vary"), ","); v != "Accept-Encoding" {
			t.Errorf("hit %d: Vary %q; an earlier hit's append leaked into the entry", i, v)
		}
		rec.Header().Add("Vary", "Accept-Language") // what a layer above may do
	}
}
