package proxy

import (
	"net/http"
	"sync"
	"testing"
	"time"
)

// slowOrigin answers after delay, or gives up when the edge does (so a
// timed-out request does not keep the test server busy).
func slowOrigin(tb testing.TB, delay time.Duration) *origin {
	tb.Helper()
	return newOrigin(tb, "slow", func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-time.After(delay):
			w.Write([]byte("late but fine"))
		case <-r.Context().Done():
		}
	})
}

// TestRouteDeadlineIs504OtherRouteUnaffected: two routes onto one pool with
// a slow origin; the route with a short deadline answers 504 once it
// passes, while the other route, with a longer one, gets its answers
// meanwhile. The pool's own request timeout (a minute) would let both
// through, so the 504 can only come from the route's deadline.
func TestRouteDeadlineIs504OtherRouteUnaffected(t *testing.T) {
	o := slowOrigin(t, 300*time.Millisecond)
	p := mustProxy(t, Config{
		Pools: []PoolConfig{{Name: "web", Targets: []string{o.URL}, Timeouts: Timeouts{Request: time.Minute}}},
		Routes: []Route{
			{Name: "search", Match: Match{PathPrefix: "/search"}, Splits: []Split{{Pool: "web"}}, Timeout: 50 * time.Millisecond},
			{Name: "rest", Splits: []Split{{Pool: "web"}}, Timeout: 10 * time.Second},
		},
	})
	edge := mustServe(t, p)
	var wg sync.WaitGroup
	for range 3 {
		wg.Go(func() {
			resp, body := mustGet(t, edge.Client(), edge.URL+"/products/42")
			if resp.StatusCode != http.StatusOK || body != "late but fine" {
				t.Errorf("other route: %d %q", resp.StatusCode, body)
			}
		})
	}
	start := time.Now()
	req, _ := http.NewRequest(http.MethodGet, edge.URL+"/search?q=shoes", nil)
	req.Header.Set("X-Request-Id", "rid-slow")
	resp, err := edge.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusGatewayTimeout || resp.Header.Get("X-Request-Id") != "rid-slow" {
		t.Errorf("slow route: %d, request id %q; want 504 with the id", resp.StatusCode, resp.Header.Get("X-Request-Id"))
	}
	if waited := time.Since(start); waited < 50*time.Millisecond {
		t.Errorf("504 after %v, before the route's deadline", waited)
	}
	wg.Wait()
}

// TestResponseHeaderTimeoutIs504: the pool's response-header timeout is a
// net.Error from the transport, not the context's error; it is still the
// upstream being slow, so 504 rather than 502.
func TestResponseHeaderTimeoutIs504(t *testing.T) {
	o := slowOrigin(t, 5*time.Second)
	p := mustProxy(t, Config{Pools: []PoolConfig{{Name: "web", Targets: []string{o.URL},
		Timeouts: Timeouts{ResponseHeader: 50 * time.Millisecond}}}})
	edge := mustServe(t, p)
	req, _ := http.NewRequest(http.MethodPost, edge.URL+"/api/v1/orders", nil)
	resp, err := edge.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusGatewayTimeout {
		t.Errorf("got %d, want 504", resp.StatusCode)
	}
}

func TestNegativeRouteTimeoutRejected(t *testing.T) {
	_, err := New(Config{Pools: []PoolConfig{{Name: "web"}},
		Routes: []Route{{Name: "r", Splits: []Split{{Pool: "web"}}, Timeout: -time.Second}}}, quietLogger())
	if err == nil {
		t.Fatal("negative route timeout accepted")
	}
}
