package shed

import (
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"
)

func mustShedder(tb testing.TB, cfg Config) *Shedder {
	tb.Helper()
	s, err := New(cfg, slog.New(slog.DiscardHandler))
	if err != nil {
		tb.Fatal(err)
	}
	return s
}

// holding puts s in front of a handler that keeps every admitted request
// in flight until the test ends. try sends a GET and reports 200 once it is
// admitted (it then holds its slot) or the refusal's status.
func holding(t *testing.T, s *Shedder) (try func(path string) int) {
	release := make(chan struct{})
	entered := make(chan struct{}, 1000)
	h := s.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		entered <- struct{}{}
		<-release
	}))
	var wg sync.WaitGroup
	t.Cleanup(func() { close(release); wg.Wait() })
	return func(path string) int {
		rec := httptest.NewRecorder()
		done := make(chan struct{})
		wg.Go(func() {
			h.ServeHTTP(rec, httptest.NewRequest("GET", path, nil))
			close(done)
		})
		select {
		case <-done:
			return rec.Code
		case <-entered:
			return http.StatusOK
		}
	}
}

func TestShedOrderBrowseThenCartThenCheckout(t *testing.T) {
	s := mustShedder(t, Config{InitialLimit: 10, MinLimit: 10, MaxLimit: 10, Shares: [3]float64{0.5, 0.8, 1.0}, ExemptPaths: []string{"/healthz"}})
	try := holding(t, s)
	for range 5 {
		if try("/products") != 200 {
			t.Fatal("browse refused below its share")
		}
	}
	tests := []struct {
		path string
		want int
	}{
		{"/products/1", 503},        // browse full at 5
		{"/api/v1/cart/items", 200}, // cart may use up to 8
		{"/cart", 200},              // 7
		{"/cart", 200},              // 8
		{"/cart", 503},              // cart full
		{"/products/2", 503},        // browse still shed
		{"/api/v1/checkout", 200},   // checkout up to 10
		{"/checkout/pay", 200},      // 10
		{"/api/v1/checkout", 503},   // everything full
		{"/healthz", 200},           // never shed
	}
	for _, tc := range tests {
		if got := try(tc.path); got != tc.want {
			t.Errorf("%s: %d, want %d", tc.path, got, tc.want)
		}
	}
	if got := s.Shed(); got["browse"] != 2 || got["cart"] != 1 || got["checkout"] != 1 {
		t.Errorf("shed counts %v", got)
	}
}

func TestRefusalIs503WithRetryAfter(t *testing.T) {
	s := mustShedder(t, Config{InitialLimit: 1, MinLimit: 1, MaxLimit: 1, Shares: [3]float64{0.5, 1, 1}})
	release := make(chan struct{})
	in := make(chan struct{})
	h := s.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { in <- struct{}{}; <-release }))
	go h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/", nil))
	<-in
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
	close(release)
	if rec.Code != 503 || rec.Header().Get("Retry-After") != "2" {
		t.Errorf("got %d Retry-After=%q", rec.Code, rec.Header().Get("Retry-After"))
	}
}

func TestLimitAdapts(t *testing.T) {
	s := mustShedder(t, Config{InitialLimit: 100, MinLimit: 10, MaxLimit: 200, TargetLatency: 100 * time.Millisecond})
	now := time.Unix(0, 0)
	s.now = func() time.Time { return now }
	for range 5 {
		now = now.Add(time.Second)
		s.observe(Browse, time.Second, 100) // slow
	}
	if l := s.Limit(); l >= 100 || l < 10 {
		t.Fatalf("limit after slow responses = %d, want below 100", l)
	}
	shrunk := s.Limit()
	for range 500 {
		s.observe(Browse, time.Millisecond, int64(s.Limit())) // fast and busy
	}
	if s.Limit() <= shrunk {
		t.Errorf("limit did not grow back: %d", s.Limit())
	}
	before := s.Limit()
	for range 100 {
		s.observe(Browse, time.Millisecond, 1) // fast but idle: no growth
	}
	if s.Limit() != before {
		t.Errorf("idle traffic grew the limit")
	}
	for range 1000 {
		now = now.Add(time.Second)
		s.observe(Browse, time.Second, 1)
	}
	if s.Limit() != 10 {
		t.Errorf("limit fell below MinLimit or stuck: %d", s.Limit())
	}
}

func TestConfigErrors(t *testing.T) {
	for _, cfg := range []Config{
		{InitialLimit: 5, MinLimit: 10, MaxLimit: 20},
		{Shares: [3]float64{0, 1, 1}},
		{Shares: [3]float64{0.5, 1, 2}},
	} {
		if _, err := New(cfg, slog.New(slog.DiscardHandler)); err == nil {
			t.Errorf("%+v accepted", cfg)
		}
	}
}
