package waf

import (
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestGuard(t *testing.T) {
	g, err := NewGuard(GuardConfig{
		Allow:       []string{"10.0.0.7"},
		Deny:        []string{"203.0.113.0/24", "2001:db8::/32", "10.0.0.0/8"},
		Match:       []MatchRule{{Name: "no-dotfiles", Pattern: `/\.(git|env)`}, {Name: "bad-bot", Header: "User-Agent", Pattern: `(?i)evilbot`}},
		BodyLimits:  []BodyLimit{{Prefix: "/api/", MaxBytes: 1 << 20}, {Prefix: "/api/v1/cart", MaxBytes: 10}},
		ExemptPaths: []string{"/healthz"},
	}, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	h := g.Middleware(echoOrigin)
	tests := []struct {
		name, remote, path, ua, body string
		want                         int
	}{
		{"plain", "198.51.100.1:1234", "/", "", "", 200},
		{"denied cidr", "203.0.113.9:1234", "/", "", "", 403},
		{"denied v6", "[2001:db8::1]:1234", "/", "", "", 403},
		{"allow beats deny", "10.0.0.7:1", "/.env", "", "", 200},
		{"health never blocked", "203.0.113.9:1234", "/healthz", "", "", 200},
		{"path rule", "198.51.100.1:1", "/.git/config", "", "", 403},
		{"header rule", "198.51.100.1:1", "/", "EvilBot/2", "", 403},
		{"longest prefix body limit", "198.51.100.1:1", "/api/v1/cart/items", "", strings.Repeat("x", 11), 413},
		{"body within limit", "198.51.100.1:1", "/api/v1/cart/items", "", "0123456789", 200},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			method := http.MethodGet
			if tc.body != "" {
				method = http.MethodPost
			}
			r := browserRequest(method, tc.path, tc.body, "application/json")
			r.RemoteAddr = tc.remote
			if tc.ua != "" {
				r.Header.Set("User-Agent", tc.ua)
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, r)
			if rec.Code != tc.want {
				t.Fatalf("status %d, want %d", rec.Code, tc.want)
			}
			if tc.want == 403 && !strings.Contains(rec.Body.String(), "test-req-1") {
				t.Errorf("refusal lacks request id")
			}
		})
	}
	if b := g.Blocks(); b["ip-deny"] != 2 || b["match:no-dotfiles"] != 1 {
		t.Errorf("block counts %v", b)
	}
}

func TestGuardConfigErrors(t *testing.T) {
	for _, cfg := range []GuardConfig{
		{Deny: []string{"not-an-ip"}},
		{Allow: []string{"1.2.3.4/99"}},
		{Match: []MatchRule{{Name: "x", Pattern: "("}}},
	} {
		if _, err := NewGuard(cfg, slog.New(slog.DiscardHandler)); err == nil {
			t.Errorf("%+v accepted", cfg)
		}
	}
}
