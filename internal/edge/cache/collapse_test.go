package cache

import (
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
)

func TestThousandConcurrentMissesOneOriginRequest(t *testing.T) {
	const n = 1000
	h := mustHarness(t, Config{})
	h.origin.set(func(w http.ResponseWriter, r *http.Request) {
		// Hold the origin until every other request has joined the flight,
		// so the test proves collapsing rather than luck.
		waitFor(t, "all waiters to join", func() bool { return h.c.Stats().Collapsed == n-1 })
		answer(200, "hot", "Cache-Control", "max-age=60")(w, r)
	})
	var wg sync.WaitGroup
	codes := make([]int, n)
	bodies := make([]string, n)
	for i := range n {
		wg.Go(func() {
			rec := httptest.NewRecorder()
			h.h.ServeHTTP(rec, httptest.NewRequest("GET", "/flash-sale", nil))
			codes[i], bodies[i] = rec.Code, rec.Body.String()
		})
	}
	wg.Wait()
	if got := h.origin.hits.Load(); got != 1 {
		t.Fatalf("origin saw %d requests for %d concurrent misses, want 1", got, n)
	}
	for i := range n {
		if codes[i] != 200 || bodies[i] != "hot" {
			t.Fatalf("request %d: %d %q", i, codes[i], bodies[i])
		}
	}
}

func TestCollapsedWaitersGoAloneWhenNotStorable(t *testing.T) {
	const n = 20
	h := mustHarness(t, Config{})
	var first sync.Once
	h.origin.set(func(w http.ResponseWriter, r *http.Request) {
		first.Do(func() {
			waitFor(t, "waiters", func() bool { return h.c.Stats().Collapsed == n-1 })
		})
		answer(200, "mine", "Cache-Control", "private")(w, r)
	})
	var wg sync.WaitGroup
	for range n {
		wg.Go(func() {
			rec := httptest.NewRecorder()
			h.h.ServeHTTP(rec, httptest.NewRequest("GET", "/account", nil))
			if rec.Body.String() != "mine" {
				t.Errorf("body %q", rec.Body.String())
			}
		})
	}
	wg.Wait()
	// A private response is never shared: every shopper got their own.
	if got := h.origin.hits.Load(); got != n {
		t.Errorf("origin saw %d, want %d", got, n)
	}
}
