package proxy

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func TestActiveHealthCheckRemovesAndRestoresTarget(t *testing.T) {
	var sick atomic.Bool
	a := newOrigin(t, "a", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/healthz" && sick.Load() {
			w.WriteHeader(http.StatusServiceUnavailable)
		}
	})
	b := newOrigin(t, "b", nil)
	p := mustProxy(t, Config{Pools: []PoolConfig{{
		Name: "web", Targets: []string{a.URL, b.URL},
		HealthCheck: HealthCheckConfig{Path: "/healthz", Interval: 10 * time.Millisecond, Timeout: time.Second, Healthy: 2, Unhealthy: 2},
	}}})
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan struct{})
	go func() { p.Run(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
	pool, _ := p.Pool("web")
	ta := pool.Targets()[0]

	sick.Store(true)
	waitFor(t, "a unhealthy", func() bool { return !ta.healthy.Load() })
	for range 20 {
		rec := httptest.NewRecorder()
		p.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/", nil))
		if rec.Body.String() != "b" {
			t.Fatalf("request went to %q while a is unhealthy", rec.Body.String())
		}
	}
	sick.Store(false)
	waitFor(t, "a healthy again", func() bool { return ta.healthy.Load() })
}

func TestPassiveEjectionAndCoolOff(t *testing.T) {
	bad := newOrigin(t, "bad", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusInternalServerError) })
	good := newOrigin(t, "good", nil)
	p := mustProxy(t, Config{Pools: []PoolConfig{{
		Name: "web", Targets: []string{bad.URL, good.URL},
		Outlier: OutlierConfig{Consecutive: 3, CoolOff: time.Hour},
	}}})
	pool, _ := p.Pool("web")
	tb := pool.Targets()[0]
	for range 6 { // round robin: 3 go to bad, which is then ejected
		p.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/", nil))
	}
	if got := bad.hits.Load(); got != 3 {
		t.Fatalf("bad got %d requests before ejection, want 3", got)
	}
	for range 20 {
		p.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/", nil))
	}
	if got := bad.hits.Load(); got != 3 {
		t.Errorf("ejected target got %d requests, want 3", got)
	}
	// End the cool-off: the target serves again.
	tb.ejectedUntil.Store(time.Now().Add(-time.Second).UnixNano())
	for range 4 {
		p.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/", nil))
	}
	if bad.hits.Load() == 3 {
		t.Error("target did not come back after the cool-off")
	}
}

func TestIdempotentRetriedNonIdempotentNot(t *testing.T) {
	dead := httptest.NewServer(http.NotFoundHandler())
	deadURL := dead.URL
	dead.Close() // connection refused from now on
	var posts atomic.Int64
	good := newOrigin(t, "good", func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost {
			posts.Add(1)
		}
		io.WriteString(w, "good")
	})
	p := mustProxy(t, Config{Pools: []PoolConfig{{
		Name: "web", Targets: []string{deadURL, good.URL}, Outlier: OutlierConfig{Consecutive: -1},
	}}})
	for i := range 10 {
		rec := httptest.NewRecorder()
		p.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/", nil))
		if rec.Code != http.StatusOK {
			t.Fatalf("GET %d: status %d, want a retry to succeed", i, rec.Code)
		}
	}
	failed := 0
	for range 10 {
		rec := httptest.NewRecorder()
		p.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/orders", bytes.NewReader([]byte(`{}`))))
		if rec.Code == http.StatusBadGateway {
			failed++
		}
	}
	// Round robin alternates: half the POSTs hit the dead target and must
	// fail rather than be replayed.
	if failed != 5 || posts.Load() != 5 {
		t.Errorf("POST: %d failed, %d reached good; want 5 and 5", failed, posts.Load())
	}
}

func TestKillOneOfThreeUnderLoadNoFailedGETs(t *testing.T) {
	var origins []*origin
	var urls []string
	for _, n := range []string{"a", "b", "c"} {
		o := newOrigin(t, n, nil)
		origins = append(origins, o)
		urls = append(urls, o.URL)
	}
	p := mustProxy(t, Config{Pools: []PoolConfig{{
		Name: "web", Targets: urls, Policy: PolicyP2CLatency,
		Outlier: OutlierConfig{Consecutive: 2, CoolOff: time.Minute},
	}}})
	edge := mustServe(t, p)
	client := edge.Client()
	var failures atomic.Int64
	var sent atomic.Int64
	var wg sync.WaitGroup
	for w := range 8 {
		wg.Go(func() {
			for i := range 100 {
				if w == 0 && i == 30 {
					origins[1].CloseClientConnections()
					origins[1].Close()
				}
				resp, err := client.Get(edge.URL + "/p")
				sent.Add(1)
				if err != nil {
					failures.Add(1)
					continue
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != http.StatusOK {
					failures.Add(1)
				}
			}
		})
	}
	wg.Wait()
	if f := failures.Load(); f != 0 {
		t.Errorf("%d of %d GETs failed after killing one target", f, sent.Load())
	}
}

func TestDrainWaitsForInflightThenRemoves(t *testing.T) {
	release := make(chan struct{})
	var slowArrived atomic.Bool
	a := newOrigin(t, "a", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/slow" {
			slowArrived.Store(true)
			<-release
		}
		io.WriteString(w, "a")
	})
	b := newOrigin(t, "b", nil)
	p := mustProxy(t, Config{Pools: []PoolConfig{{Name: "web", Targets: []string{a.URL}}}})
	admin := mustServe(t, p.AdminHandler())
	pool, _ := p.Pool("web")

	// Add b through the admin API.
	resp, err := http.Post(admin.URL+"/pools/web/targets", "application/json", bytes.NewReader([]byte(`{"url":"`+b.URL+`"}`)))
	if err != nil || resp.StatusCode != http.StatusCreated {
		t.Fatalf("add: %v %v", err, resp)
	}
	resp.Body.Close()
	if n := len(pool.Targets()); n != 2 {
		t.Fatalf("%d targets after add", n)
	}
	// A slow request in flight on a.
	slowDone := make(chan int, 1)
	go func() {
		rec := httptest.NewRecorder()
		req := httptest.NewRequest(http.MethodGet, "/slow", nil)
		for {
			p.ServeHTTP(rec, req)
			if rec.Body.String() == "a" {
				slowDone <- rec.Code
				return
			}
			rec = httptest.NewRecorder()
		}
	}()
	// In flight at the proxy and arrived at the origin: the origin counts a
	// request only when it lands, a moment after the proxy picked it.
	waitFor(t, "slow request on a", func() bool { return pool.Targets()[0].Inflight() == 1 && slowArrived.Load() })

	drained := make(chan *http.Response, 1)
	go func() {
		resp, err := http.Post(admin.URL+"/pools/web/targets/drain", "application/json",
			bytes.NewReader([]byte(`{"url":"`+a.URL+`","deadline":"30s"}`)))
		if err != nil {
			t.Error(err)
		}
		drained <- resp
	}()
	waitFor(t, "a draining", func() bool { return pool.Targets()[0].draining.Load() })
	before := a.hits.Load()
	for range 10 {
		p.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/", nil))
	}
	if a.hits.Load() != before {
		t.Error("draining target got new requests")
	}
	select {
	case <-drained:
		t.Fatal("drain returned while a request was in flight")
	default:
	}
	close(release)
	if code := <-slowDone; code != http.StatusOK {
		t.Errorf("in-flight request finished with %d", code)
	}
	if r := <-drained; r == nil || r.StatusCode != http.StatusOK {
		t.Fatalf("drain response %v", r)
	} else {
		r.Body.Close()
	}
	if n := len(pool.Targets()); n != 1 || pool.Targets()[0].URL.String() != b.URL {
		t.Errorf("targets after drain: %v", pool.Status())
	}
}

func TestDrainDeadlineRemovesBusyTarget(t *testing.T) {
	release := make(chan struct{})
	defer close(release)
	a := newOrigin(t, "a", func(w http.ResponseWriter, r *http.Request) { <-release })
	p := mustProxy(t, Config{Pools: []PoolConfig{{Name: "web", Targets: []string{a.URL}}}})
	pool, _ := p.Pool("web")
	go p.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/", nil))
	waitFor(t, "in flight", func() bool { return pool.Targets()[0].Inflight() == 1 })
	left, err := pool.Drain(t.Context(), a.URL, 20*time.Millisecond)
	if err != nil || left != 1 || len(pool.Targets()) != 0 {
		t.Fatalf("left=%d err=%v targets=%d", left, err, len(pool.Targets()))
	}
	if _, err := pool.Drain(t.Context(), a.URL, time.Millisecond); err == nil {
		t.Error("draining an unknown target must fail")
	}
}
