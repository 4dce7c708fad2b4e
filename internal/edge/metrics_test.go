package edge

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/peakshop/peakshop/internal/edge/proxy"
	"github.com/peakshop/peakshop/internal/edge/ratelimit"
	"github.com/peakshop/peakshop/internal/edge/waf"
)

// TestMetricsOnAdmin checks the standalone edge's /metrics: the instance,
// a pool's targets and how many take traffic (one origin down), and guard
// and rate-rule blocks by their configured rule names, never a path.
func TestMetricsOnAdmin(t *testing.T) {
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusOK) }))
	defer up.Close()
	down := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusServiceUnavailable) }))
	defer down.Close()
	cfg := DefaultConfig()
	cfg.Addr, cfg.AdminAddr = "127.0.0.1:0", "127.0.0.1:0"
	cfg.Proxy = proxy.Config{Pools: []proxy.PoolConfig{{Name: "shop", Targets: []string{up.URL, down.URL},
		HealthCheck: proxy.HealthCheckConfig{Path: "/healthz", Interval: 10 * time.Millisecond, Timeout: time.Second, Healthy: 1, Unhealthy: 2}}}}
	cfg.RateLimit = ratelimit.Config{Rules: []ratelimit.Rule{{Name: "signin", PathPrefix: "/signin", Limit: 1}}}
	cfg.Guard = waf.GuardConfig{Match: []waf.MatchRule{{Name: "no-dotfiles", Pattern: `/\.env`}}}
	rn := mustRun(t, cfg)
	rn.get(t, "/.env?email=ada@example.org")
	for i := 0; i < 3; i++ {
		rn.get(t, "/signin")
	}
	want := []string{
		`peakshop_instance_up{role="edge"} 1`,
		`peakshop_edge_upstream_targets{pool="shop"} 2`,
		`peakshop_edge_upstream_targets_healthy{pool="shop"} 1`,
		`peakshop_waf_blocks_total{layer="guard",rule="match:no-dotfiles"} 1`,
		`peakshop_ratelimit_blocks_total{action="block",rule="signin"} 2`,
		`go_goroutines`,
	}
	var body string
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		resp, err := http.Get(rn.admin + "/metrics")
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		body = string(b)
		missing := false
		for _, w := range want {
			missing = missing || !strings.Contains(body, w)
		}
		if !missing {
			break
		}
	}
	for _, w := range want {
		if !strings.Contains(body, w) {
			t.Errorf("edge /metrics lacks %s", w)
		}
	}
	if strings.Contains(body, "example.org") || strings.Contains(body, ".env") {
		t.Error("edge /metrics carries request data in a label")
	}
}
