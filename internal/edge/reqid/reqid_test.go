package reqid

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestMiddlewareKeepsValidIDAndMintsOthers(t *testing.T) {
	var seen string
	h := Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { seen = From(r) }))
	tests := []struct {
		in   string
		keep bool
	}{
		{"abc-123_x.y", true},
		{"", false},
		{"bad id\r\nX-Injected: 1", false},
		{strings.Repeat("a", 65), false},
	}
	ids := map[string]bool{}
	for _, tc := range tests {
		r := httptest.NewRequest("GET", "/", nil)
		if tc.in != "" {
			r.Header.Set(Header, tc.in)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r)
		got := rec.Header().Get(Header)
		if got != seen || !Valid(got) {
			t.Errorf("in %q: response id %q, handler saw %q", tc.in, got, seen)
		}
		if tc.keep != (got == tc.in) {
			t.Errorf("in %q: got %q, keep=%v", tc.in, got, tc.keep)
		}
		ids[got] = true
	}
	if len(ids) != len(tests) {
		t.Errorf("ids not unique: %v", ids)
	}
}

func TestReject(t *testing.T) {
	r := httptest.NewRequest("GET", "/", nil)
	r.Header.Set(Header, "rid-9")
	rec := httptest.NewRecorder()
	Reject(rec, r, http.StatusTooManyRequests, 30)
	if rec.Code != 429 || rec.Header().Get("Retry-After") != "30" || !strings.Contains(rec.Body.String(), "rid-9") ||
		rec.Header().Get("Cache-Control") != "no-store" {
		t.Errorf("%d %v %q", rec.Code, rec.Header(), rec.Body.String())
	}
}
