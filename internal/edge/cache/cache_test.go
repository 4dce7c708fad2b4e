package cache

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestStorability(t *testing.T) {
	tests := []struct {
		name   string
		status int
		kv     []string
		stored bool
	}{
		{"max-age", 200, []string{"Cache-Control", "max-age=60"}, true},
		{"s-maxage beats max-age=0", 200, []string{"Cache-Control", "max-age=0, s-maxage=60"}, true},
		{"public max-age", 200, []string{"Cache-Control", "public, max-age=60"}, true},
		{"no lifetime", 200, nil, false},
		{"last-modified only (no heuristic)", 200, []string{"Last-Modified", "Mon, 02 Jan 2006 15:04:05 GMT"}, false},
		{"no-store", 200, []string{"Cache-Control", "max-age=60, no-store"}, false},
		{"private", 200, []string{"Cache-Control", "private, max-age=60"}, false},
		{"set-cookie", 200, []string{"Cache-Control", "max-age=60", "Set-Cookie", "sid=1"}, false},
		{"vary star", 200, []string{"Cache-Control", "max-age=60", "Vary", "*"}, false},
		{"expires future", 200, []string{"Expires", "Fri, 27 Nov 2026 07:00:00 GMT", "Date", "Fri, 27 Nov 2026 06:00:00 GMT"}, true},
		{"expires past", 200, []string{"Expires", "Fri, 27 Nov 2026 05:00:00 GMT", "Date", "Fri, 27 Nov 2026 06:00:00 GMT"}, false},
		{"expires invalid", 200, []string{"Expires", "0"}, false},
		{"404 with max-age", 404, []string{"Cache-Control", "max-age=60"}, true},
		{"500 never", 500, []string{"Cache-Control", "max-age=60"}, false},
		{"206 never", 206, []string{"Cache-Control", "max-age=60"}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := mustHarness(t, Config{})
			h.origin.set(answer(tc.status, "body", tc.kv...))
			expectXCache(t, h.do("GET", "/p"), Miss, "")
			rec := h.do("GET", "/p")
			want := Miss
			if tc.stored {
				want = Hit
			}
			expectXCache(t, rec, want, "body")
			if rec.Code != tc.status {
				t.Errorf("status %d, want %d", rec.Code, tc.status)
			}
		})
	}
}

func TestHeuristicFreshnessIsOptIn(t *testing.T) {
	h := mustHarness(t, Config{Heuristic: true})
	// Modified ten days ago: heuristic lifetime is a day.
	h.origin.set(answer(200, "old", "Last-Modified", "Tue, 17 Nov 2026 06:00:00 GMT", "Date", "Fri, 27 Nov 2026 06:00:00 GMT"))
	h.do("GET", "/h")
	expectXCache(t, h.do("GET", "/h"), Hit, "old")
}

func TestAgeAndExpiry(t *testing.T) {
	h := mustHarness(t, Config{})
	h.origin.set(answer(200, "v1", "Cache-Control", "max-age=60"))
	h.do("GET", "/a")
	h.clk.Advance(10 * time.Second)
	rec := h.do("GET", "/a")
	expectXCache(t, rec, Hit, "v1")
	if age := rec.Header().Get("Age"); age != "10" {
		t.Errorf("Age = %q, want 10", age)
	}
	h.clk.Advance(51 * time.Second)
	h.origin.set(answer(200, "v2", "Cache-Control", "max-age=60"))
	expectXCache(t, h.do("GET", "/a"), Miss, "v2")
	if n := h.origin.hits.Load(); n != 2 {
		t.Errorf("origin hits = %d, want 2", n)
	}
}

func TestUpstreamAgeCounts(t *testing.T) {
	h := mustHarness(t, Config{})
	h.origin.set(answer(200, "x", "Cache-Control", "max-age=60", "Age", "50"))
	h.do("GET", "/u")
	h.clk.Advance(11 * time.Second) // 50 + 11 > 60: stale
	expectXCache(t, h.do("GET", "/u"), Miss, "x")
}

func TestRevalidationWithETagAndLastModified(t *testing.T) {
	tests := []struct {
		name, validator, value, condHeader string
	}{
		{"etag", "ETag", `"v1"`, "If-None-Match"},
		{"last-modified", "Last-Modified", "Thu, 26 Nov 2026 06:00:00 GMT", "If-Modified-Since"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := mustHarness(t, Config{})
			h.origin.set(answer(200, "body", "Cache-Control", "max-age=10", tc.validator, tc.value, "Surrogate-Key", "product-1"))
			h.do("GET", "/r")
			h.clk.Advance(20 * time.Second)
			h.origin.set(func(w http.ResponseWriter, r *http.Request) {
				if r.Header.Get(tc.condHeader) != tc.value {
					t.Errorf("origin got %s = %q, want %q", tc.condHeader, r.Header.Get(tc.condHeader), tc.value)
				}
				w.Header().Set("Cache-Control", "max-age=30")
				w.WriteHeader(http.StatusNotModified)
			})
			rec := h.do("GET", "/r")
			if rec.Code != 200 || rec.Body.String() != "body" {
				t.Fatalf("after 304: %d %q", rec.Code, rec.Body.String())
			}
			// The 304's max-age=30 now governs.
			h.clk.Advance(25 * time.Second)
			expectXCache(t, h.do("GET", "/r"), Hit, "body")
			if n := h.origin.hits.Load(); n != 2 {
				t.Errorf("origin hits = %d, want 2", n)
			}
			// Tags survive revalidation.
			if n := h.c.PurgeKey("product-1"); n != 1 {
				t.Errorf("purged %d by tag after revalidation, want 1", n)
			}
		})
	}
}

func TestNoCacheRevalidatesEveryTime(t *testing.T) {
	h := mustHarness(t, Config{})
	h.origin.set(answer(200, "fresh?", "Cache-Control", "no-cache", "ETag", `"e"`))
	h.do("GET", "/n")
	h.origin.set(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusNotModified) })
	for range 3 {
		rec := h.do("GET", "/n")
		if rec.Body.String() != "fresh?" {
			t.Fatalf("body %q", rec.Body.String())
		}
	}
	if n := h.origin.hits.Load(); n != 4 {
		t.Errorf("origin hits = %d, want 4 (one per request)", n)
	}
}

func TestClientConditionalGets304FromCache(t *testing.T) {
	h := mustHarness(t, Config{})
	h.origin.set(answer(200, "b", "Cache-Control", "max-age=60", "ETag", `W/"42"`))
	h.do("GET", "/c")
	rec := h.do("GET", "/c", "If-None-Match", `"41", W/"42"`)
	if rec.Code != http.StatusNotModified || rec.Body.Len() != 0 {
		t.Errorf("got %d %q, want 304", rec.Code, rec.Body.String())
	}
	if rec := h.do("GET", "/c", "If-None-Match", `"other"`); rec.Code != 200 {
		t.Errorf("non-matching tag: %d", rec.Code)
	}
	// The client's validator is not forwarded on a miss.
	h.do("GET", "/c2", "If-None-Match", `"zzz"`)
	if h.origin.last().Header.Get("If-None-Match") != "" {
		t.Error("client If-None-Match reached the origin")
	}
}

func TestVary(t *testing.T) {
	h := mustHarness(t, Config{})
	h.origin.set(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "max-age=60")
		w.Header().Set("Vary", "Accept-Language")
		w.Write([]byte("lang=" + r.Header.Get("Accept-Language")))
	})
	expectXCache(t, h.do("GET", "/v", "Accept-Language", "en"), Miss, "lang=en")
	expectXCache(t, h.do("GET", "/v", "Accept-Language", "fr"), Miss, "lang=fr")
	expectXCache(t, h.do("GET", "/v", "Accept-Language", "en"), Hit, "lang=en")
	expectXCache(t, h.do("GET", "/v", "Accept-Language", "fr"), Hit, "lang=fr")
	expectXCache(t, h.do("GET", "/v"), Miss, "lang=")
	if n, _ := h.c.PurgeURL("/v"); n != 3 {
		t.Errorf("purge by URL removed %d variants, want 3", n)
	}
	expectXCache(t, h.do("GET", "/v", "Accept-Language", "en"), Miss, "lang=en")
}

func TestVaryAcceptEncodingNormalised(t *testing.T) {
	h := mustHarness(t, Config{})
	h.origin.set(answer(200, "z", "Cache-Control", "max-age=60", "Vary", "Accept-Encoding"))
	h.do("GET", "/z", "Accept-Encoding", "gzip, deflate, br")
	expectXCache(t, h.do("GET", "/z", "Accept-Encoding", "br, gzip"), Hit, "z")
	expectXCache(t, h.do("GET", "/z", "Accept-Encoding", "gzip"), Miss, "z")
}

func TestStaleWhileRevalidate(t *testing.T) {
	h := mustHarness(t, Config{})
	h.origin.set(answer(200, "v1", "Cache-Control", "s-maxage=10, stale-while-revalidate=30"))
	h.do("GET", "/s")
	h.clk.Advance(15 * time.Second)
	h.origin.set(answer(200, "v2", "Cache-Control", "s-maxage=10, stale-while-revalidate=30"))
	expectXCache(t, h.do("GET", "/s"), Stale, "v1")
	waitFor(t, "background refresh", func() bool { return h.c.Stats().Stored == 2 && h.c.flights.idle("example.com/s") })
	expectXCache(t, h.do("GET", "/s"), Hit, "v2")
	// Past the window: a synchronous miss.
	h.clk.Advance(60 * time.Second)
	h.origin.set(answer(200, "v3", "Cache-Control", "s-maxage=10, stale-while-revalidate=30"))
	expectXCache(t, h.do("GET", "/s"), Miss, "v3")
}

func TestStaleIfError(t *testing.T) {
	h := mustHarness(t, Config{})
	h.origin.set(answer(200, "good", "Cache-Control", "max-age=10, stale-if-error=60"))
	h.do("GET", "/e")
	h.clk.Advance(30 * time.Second)
	h.origin.set(answer(503, "down"))
	expectXCache(t, h.do("GET", "/e"), Stale, "good")
	h.clk.Advance(60 * time.Second) // beyond stale-if-error
	rec := h.do("GET", "/e")
	if rec.Code != 503 {
		t.Errorf("beyond stale-if-error: status %d, want the origin's 503", rec.Code)
	}
}

func TestMustRevalidateNeverServesStale(t *testing.T) {
	h := mustHarness(t, Config{})
	h.origin.set(answer(200, "good", "Cache-Control", "max-age=10, must-revalidate, stale-if-error=60, stale-while-revalidate=60"))
	h.do("GET", "/m")
	h.clk.Advance(20 * time.Second)
	h.origin.set(answer(502, "bad gateway"))
	rec := h.do("GET", "/m")
	if rec.Code != 502 || rec.Body.String() == "good" {
		t.Errorf("must-revalidate served %d %q", rec.Code, rec.Body.String())
	}
}

func TestBypass(t *testing.T) {
	h := mustHarness(t, Config{})
	h.origin.set(answer(200, "x", "Cache-Control", "max-age=60"))
	tests := []struct {
		method string
		kv     []string
	}{
		{"POST", nil},
		{"GET", []string{"Authorization", "Bearer t"}},
		{"GET", []string{"Range", "bytes=0-1"}},
		{"GET", []string{"Cache-Control", "no-store"}},
	}
	for _, tc := range tests {
		expectXCache(t, h.do(tc.method, "/b", tc.kv...), Bypass, "x")
	}
	if n := h.origin.hits.Load(); n != int64(len(tests)) {
		t.Errorf("origin hits %d", n)
	}
}

func TestHeadServedFromGetEntry(t *testing.T) {
	h := mustHarness(t, Config{})
	h.origin.set(answer(200, "hello", "Cache-Control", "max-age=60"))
	expectXCache(t, h.do("HEAD", "/hd"), Miss, "")
	h.do("GET", "/hd")
	rec := h.do("HEAD", "/hd")
	expectXCache(t, rec, Hit, "")
	if rec.Body.Len() != 0 || rec.Header().Get("Content-Length") != "5" {
		t.Errorf("HEAD: body %q, length %q", rec.Body.String(), rec.Header().Get("Content-Length"))
	}
}

func TestPurgeBySurrogateKeyAndURL(t *testing.T) {
	h := mustHarness(t, Config{})
	h.origin.set(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "max-age=600")
		switch r.URL.Path {
		case "/products/1":
			w.Header().Set("Surrogate-Key", "product-1 category-7")
		case "/products/2":
			w.Header().Set("Surrogate-Key", "product-2 category-7")
		}
		w.Write([]byte(r.URL.Path))
	})
	for _, p := range []string{"/products/1", "/products/2", "/about"} {
		rec := h.do("GET", p)
		if rec.Header().Get("Surrogate-Key") != "" {
			t.Error("Surrogate-Key leaked to the client")
		}
	}
	if n := h.c.PurgeKey("product-1"); n != 1 {
		t.Errorf("purged %d for product-1", n)
	}
	expectXCache(t, h.do("GET", "/products/1"), Miss, "/products/1")
	expectXCache(t, h.do("GET", "/products/2"), Hit, "")
	if n := h.c.PurgeKey("category-7"); n != 2 {
		t.Errorf("purged %d for category-7", n)
	}
	expectXCache(t, h.do("GET", "/products/2"), Miss, "")
	if n, _ := h.c.PurgeURL("http://example.com/about"); n != 1 {
		t.Errorf("purged %d for /about", n)
	}
	expectXCache(t, h.do("GET", "/about"), Miss, "")
	if n, _ := h.c.PurgeURL("http://other.host/about"); n != 0 {
		t.Errorf("purge on another host removed %d", n)
	}
}

func TestMarketingParamsShareOneEntry(t *testing.T) {
	h := mustHarness(t, Config{})
	h.origin.set(answer(200, "page", "Cache-Control", "max-age=60"))
	h.do("GET", "/p?b=2&a=1&utm_source=mail")
	expectXCache(t, h.do("GET", "/p?a=1&b=2&gclid=xyz"), Hit, "page")
	expectXCache(t, h.do("GET", "/p?a=1&b=3"), Miss, "page")
}

func TestLargeObjectStreamsThrough(t *testing.T) {
	h := mustHarness(t, Config{MaxObjectBytes: 8})
	big := strings.Repeat("x", 100)
	h.origin.set(answer(200, big, "Cache-Control", "max-age=60"))
	expectXCache(t, h.do("GET", "/big"), Miss, big)
	expectXCache(t, h.do("GET", "/big"), Miss, big)
}

func TestOverloadRefusalServedStale(t *testing.T) {
	h := mustHarness(t, Config{OverloadHeader: "X-Edge-Shed"})
	h.origin.set(answer(200, "page", "Cache-Control", "max-age=10", "ETag", `"p"`))
	h.do("GET", "/o")
	h.clk.Advance(time.Minute) // stale, no stale-if-error
	h.origin.set(answer(503, "shed", "X-Edge-Shed", "browse"))
	rec := h.do("GET", "/o")
	expectXCache(t, rec, Stale, "page")
	// Without the mark, a 503 is the origin's answer.
	h.origin.set(answer(503, "down"))
	if rec := h.do("GET", "/o"); rec.Code != 503 {
		t.Errorf("unmarked 503: %d", rec.Code)
	}
	// A shed refusal with nothing stored passes through, mark removed.
	h.origin.set(answer(503, "shed", "X-Edge-Shed", "browse"))
	rec = h.do("GET", "/nothing-stored")
	if rec.Code != 503 || rec.Header().Get("X-Edge-Shed") != "" {
		t.Errorf("got %d, mark %q", rec.Code, rec.Header().Get("X-Edge-Shed"))
	}
}
