package reqid

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/peakshop/peakshop/internal/platform/problem"
)

// TestRejectNegotiates: API clients and anything that does not ask for
// HTML get RFC 9457 problem details with the request id; a browser
// navigating gets a small page with it. Neither is ever stored, and
// neither names anything internal.
func TestRejectNegotiates(t *testing.T) {
	for _, tc := range []struct {
		name, accept string
		html         bool
	}{
		{"no accept", "", false},
		{"curl", "*/*", false},
		{"json api", "application/json", false},
		{"problem", "application/problem+json", false},
		{"fetch preferring json", "application/json, text/html;q=0.5", false},
		{"browser", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := httptest.NewRequest("GET", "/api/v1/products/7", nil)
			r.Header.Set(Header, "rid-<7>")
			if tc.accept != "" {
				r.Header.Set("Accept", tc.accept)
			}
			rec := httptest.NewRecorder()
			Reject(rec, r, http.StatusGatewayTimeout, 0)
			h := rec.Header()
			if rec.Code != http.StatusGatewayTimeout || h.Get("Cache-Control") != "no-store" || h.Get(Header) != "rid-<7>" {
				t.Fatalf("%d %v", rec.Code, h)
			}
			body := rec.Body.String()
			if tc.html {
				if !strings.HasPrefix(h.Get("Content-Type"), "text/html") ||
					!strings.Contains(body, "request id: rid-&lt;7&gt;") || !strings.Contains(body, "<h1>Gateway Timeout</h1>") {
					t.Fatalf("browser page: %q %s", h.Get("Content-Type"), body)
				}
				return
			}
			if h.Get("Content-Type") != problem.ContentType {
				t.Fatalf("Content-Type %q, want %s", h.Get("Content-Type"), problem.ContentType)
			}
			var p struct {
				Type, Title, Detail string
				Status              int
				RequestID           string `json:"request_id"`
			}
			if err := json.Unmarshal(rec.Body.Bytes(), &p); err != nil {
				t.Fatalf("%v: %s", err, body)
			}
			if p.Type != "about:blank" || p.Title != "Gateway Timeout" || p.Status != 504 || p.RequestID != "rid-<7>" || p.Detail == "" {
				t.Fatalf("problem %+v", p)
			}
		})
	}
}
