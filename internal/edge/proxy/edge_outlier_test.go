package proxy

import (
	"net/http"
	"testing"
	"time"
)

// TestTargetMissingRouteDeadlineIsEjected: a target that always answers
// after the route's deadline (every request to it a 504) is ejected after
// the consecutive-failure threshold, gets no new requests during its
// cool-off while the healthy target serves them all, and is tried again
// once the cool-off is over.
func TestTargetMissingRouteDeadlineIsEjected(t *testing.T) {
	const threshold = 3
	const coolOff = 2 * time.Second
	slow := slowOrigin(t, 5*time.Second)
	fast := newOrigin(t, "fast", nil)
	p := mustProxy(t, Config{
		Pools: []PoolConfig{{
			Name: "web", Targets: []string{slow.URL, fast.URL},
			Outlier: OutlierConfig{Consecutive: threshold, CoolOff: coolOff},
		}},
		Routes: []Route{{Name: "all", Splits: []Split{{Pool: "web"}}, Timeout: 100 * time.Millisecond}},
	})
	edge := mustServe(t, p)
	pool, _ := p.Pool("web")
	slowTarget := pool.Targets()[0]

	var timeouts int
	for i := 0; !slowTarget.status(time.Now()).Ejected; i++ {
		if i > 4*threshold {
			t.Fatalf("not ejected after %d requests (%d timed out); status %+v", i, timeouts, slowTarget.status(time.Now()))
		}
		resp, body := mustGet(t, edge.Client(), edge.URL+"/products/1")
		switch resp.StatusCode {
		case http.StatusGatewayTimeout:
			timeouts++
		case http.StatusOK:
			if body != "fast" {
				t.Fatalf("200 from %q", body)
			}
		default:
			t.Fatalf("status %d", resp.StatusCode)
		}
	}
	ejectedAt := time.Now()
	if timeouts != threshold {
		t.Errorf("ejected after %d timeouts, want %d", timeouts, threshold)
	}

	slowHits := slow.hits.Load()
	for range 20 {
		resp, body := mustGet(t, edge.Client(), edge.URL+"/products/2")
		if resp.StatusCode != http.StatusOK || body != "fast" {
			t.Fatalf("during the cool-off: %d %q, want the healthy target", resp.StatusCode, body)
		}
	}
	if time.Since(ejectedAt) >= coolOff {
		t.Skipf("the machine is too slow to finish within the %v cool-off", coolOff)
	}
	if n := slow.hits.Load() - slowHits; n != 0 {
		t.Fatalf("the ejected target got %d requests during its cool-off", n)
	}

	time.Sleep(time.Until(ejectedAt.Add(coolOff)))
	waitFor(t, "the slow target to be tried after its cool-off", func() bool {
		mustGet(t, edge.Client(), edge.URL+"/products/3")
		return slow.hits.Load() > slowHits
	})
}
