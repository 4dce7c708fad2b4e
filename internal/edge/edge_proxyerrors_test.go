package edge

import (
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/peakshop/peakshop/internal/edge/proxy"
	"github.com/peakshop/peakshop/internal/edge/waf"
	"github.com/peakshop/peakshop/internal/platform/problem"
)

// closedURL is the address of a port nobody listens on any more.
func closedURL(tb testing.TB) string {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	u := "http://" + ln.Addr().String()
	ln.Close()
	return u
}

// TestProxyErrorsAreProblemsOrPages: the edge's own 502, 503 and 504 carry
// the request id as RFC 9457 problem details for API clients and as a
// small page for browsers, the same refusal the firewall's 403 uses.
func TestProxyErrorsAreProblemsOrPages(t *testing.T) {
	slow := newSlowOrigin(t, 2*time.Second)
	cfg := DefaultConfig()
	cfg.Addr, cfg.AdminAddr = "127.0.0.1:0", "127.0.0.1:0"
	cfg.WAF = waf.RuleSetConfig{Mode: waf.ModeOff}
	cfg.Guard = waf.GuardConfig{Match: []waf.MatchRule{{Name: "no-dotfiles", Pattern: `/\.env`}}}
	cfg.Proxy = proxy.Config{
		Pools: []proxy.PoolConfig{
			{Name: "dead", Targets: []string{closedURL(t)}},
			{Name: "slow", Targets: []string{slow}},
			{Name: "empty"},
		},
		Routes: []proxy.Route{
			{Name: "dead", Match: proxy.Match{PathPrefix: "/dead"}, Splits: []proxy.Split{{Pool: "dead"}}},
			{Name: "slow", Match: proxy.Match{PathPrefix: "/slow"}, Splits: []proxy.Split{{Pool: "slow"}}, Timeout: 50 * time.Millisecond},
			{Name: "rest", Splits: []proxy.Split{{Pool: "empty"}}},
		},
	}
	rn := mustRun(t, cfg)

	const browser = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
	for _, tc := range []struct {
		name, method, path string
		status             int
	}{
		// A POST is never retried, so the refused connection is the answer.
		{"bad gateway", http.MethodPost, "/dead/api/v1/carts", http.StatusBadGateway},
		{"upstream timeout", http.MethodGet, "/slow/api/v1/products/1", http.StatusGatewayTimeout},
		{"no healthy target", http.MethodGet, "/api/v1/products/1", http.StatusServiceUnavailable},
		{"firewall block", http.MethodGet, "/.env", http.StatusForbidden},
	} {
		for _, accept := range []string{"application/json", browser} {
			t.Run(tc.name+"/"+strings.Split(accept, ",")[0], func(t *testing.T) {
				req, _ := http.NewRequest(tc.method, rn.base+tc.path, nil)
				req.Header.Set("Accept", accept)
				req.Header.Set("X-Request-Id", "rid-"+strings.ReplaceAll(tc.name, " ", "-"))
				resp, err := rn.client.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				body, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				id := req.Header.Get("X-Request-Id")
				if resp.StatusCode != tc.status || resp.Header.Get("X-Request-Id") != id || resp.Header.Get("Cache-Control") != "no-store" {
					t.Fatalf("%d %v, want %d with the request id, never stored", resp.StatusCode, resp.Header, tc.status)
				}
				if tc.status == http.StatusServiceUnavailable && resp.Header.Get("Retry-After") == "" {
					t.Error("503 without Retry-After")
				}
				if accept == browser {
					if !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") || !strings.Contains(string(body), "request id: "+id) {
						t.Fatalf("browser: %q %s", resp.Header.Get("Content-Type"), body)
					}
					return
				}
				var p struct {
					Status    int    `json:"status"`
					Title     string `json:"title"`
					RequestID string `json:"request_id"`
				}
				if ct := resp.Header.Get("Content-Type"); ct != problem.ContentType {
					t.Fatalf("Content-Type %q: %s", ct, body)
				}
				if err := json.Unmarshal(body, &p); err != nil || p.Status != tc.status || p.RequestID != id || p.Title != http.StatusText(tc.status) {
					t.Fatalf("problem %+v (%v): %s", p, err, body)
				}
				if strings.Contains(string(body), "127.0.0.1") || strings.Contains(string(body), "dial") {
					t.Fatalf("internal detail reached the client: %s", body)
				}
			})
		}
	}
}

// newSlowOrigin answers after delay, or gives up when the edge does.
func newSlowOrigin(tb testing.TB, delay time.Duration) string {
	tb.Helper()
	s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-time.After(delay):
			io.WriteString(w, "late")
		case <-r.Context().Done():
		}
	}))
	tb.Cleanup(s.Close)
	return s.URL
}
