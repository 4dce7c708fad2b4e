package proxy

import (
	"context"
	"net/http"
	"sync"
	"time"
)

// HealthCheckConfig controls active health checks: a GET of Path passes on
// any status below 500 and fails on 5xx or no answer. A target flips to
// unhealthy after Unhealthy consecutive failed checks and back after
// Healthy consecutive passes, so one slow answer does not flap it.
type HealthCheckConfig struct {
	Path      string        // "" disables active checks
	Interval  time.Duration // 0 means 5s
	Timeout   time.Duration // 0 means 2s
	Healthy   int           // 0 means 2
	Unhealthy int           // 0 means 3
}

func (h HealthCheckConfig) withDefaults() HealthCheckConfig {
	h.Interval = orDefault(h.Interval, 5*time.Second)
	h.Timeout = orDefault(h.Timeout, 2*time.Second)
	h.Healthy = orDefault(h.Healthy, 2)
	h.Unhealthy = orDefault(h.Unhealthy, 3)
	return h
}

// RunHealthChecks checks every target each interval until ctx is done. It
// returns at once when the pool has no health-check path.
func (p *Pool) RunHealthChecks(ctx context.Context) {
	hc := p.cfg.HealthCheck
	if hc.Path == "" {
		return
	}
	client := &http.Client{
		Transport: p.transport,
		Timeout:   hc.Timeout,
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}
	tick := time.NewTicker(hc.Interval)
	defer tick.Stop()
	for {
		p.checkAll(ctx, client)
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

func (p *Pool) checkAll(ctx context.Context, client *http.Client) {
	var wg sync.WaitGroup
	results := make(map[*Target]bool)
	var mu sync.Mutex
	for _, t := range p.Targets() {
		wg.Go(func() {
			ok := p.probe(ctx, client, t)
			mu.Lock()
			results[t] = ok
			mu.Unlock()
		})
	}
	wg.Wait()
	if ctx.Err() != nil {
		return
	}
	// Counters are updated here, on the one health goroutine, so they need no lock.
	for t, ok := range results {
		p.record(t, ok)
	}
}

func (p *Pool) probe(ctx context.Context, client *http.Client, t *Target) bool {
	u := *t.URL
	u.Path = p.cfg.HealthCheck.Path
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return false
	}
	req.Header.Set("User-Agent", "peakshop-edge-healthcheck")
	resp, err := client.Do(req)
	if err != nil {
		return false
	}
	resp.Body.Close()
	// Any answer below 500 proves the target alive; a shop that is not
	// ready says 503. Being lenient about 404 keeps an origin without the
	// health path in service instead of emptying the pool.
	return resp.StatusCode < 500
}

func (p *Pool) record(t *Target, ok bool) {
	hc := p.cfg.HealthCheck
	if ok {
		t.hcPass, t.hcFail = t.hcPass+1, 0
		if !t.healthy.Load() && t.hcPass >= hc.Healthy {
			t.healthy.Store(true)
			p.logger.Info("target healthy", "target", t.URL.String())
		}
		return
	}
	t.hcFail, t.hcPass = t.hcFail+1, 0
	if t.healthy.Load() && t.hcFail >= hc.Unhealthy {
		t.healthy.Store(false)
		p.logger.Warn("target unhealthy", "target", t.URL.String(), "failed_checks", t.hcFail)
	}
}
