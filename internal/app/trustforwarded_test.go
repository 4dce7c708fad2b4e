package app

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
)

// With --edge-trust-loopback-forwarded the edge believes X-Forwarded-For
// from loopback peers only: anyone else's header is gone before the edge
// (or the shop behind it) reads it, so no outside client can pose as many.
func TestEdgeTrustsForwardedFromLoopbackOnly(t *testing.T) {
	var seen string
	shop := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { seen = r.Header.Get("X-Forwarded-For") })
	for _, tc := range []struct {
		trust  bool
		remote string
		want   string
	}{
		{true, "127.0.0.1:5000", "198.18.0.7"},
		{true, "[::1]:5000", "198.18.0.7"},
		{true, "192.0.2.1:5000", ""},
		{false, "192.0.2.1:5000", "198.18.0.7"}, // not trusted: passed along, never believed
	} {
		c := DefaultEdgeConfig()
		c.TrustLoopbackForwarded = tc.trust
		e, err := frontDoor(c, shop, slog.New(slog.NewTextHandler(io.Discard, nil)))
		if err != nil {
			t.Fatal(err)
		}
		r := httptest.NewRequest(http.MethodGet, "/healthz", nil)
		r.RemoteAddr = tc.remote
		r.Header.Set("X-Forwarded-For", "198.18.0.7")
		seen = "unset"
		edgeHandler(c, e).ServeHTTP(httptest.NewRecorder(), r)
		e.Close()
		if seen != tc.want {
			t.Errorf("trust %t from %s: the shop saw X-Forwarded-For %q, want %q", tc.trust, tc.remote, seen, tc.want)
		}
	}
}
