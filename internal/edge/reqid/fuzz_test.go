package reqid

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// Whatever a client puts in Accept, a refusal keeps its status and is
// either a page or problem details that parse, and the request id in it
// is escaped.
func FuzzReject(f *testing.F) {
	for _, a := range []string{"", "text/html", "application/json", "*/*", "text/html;q=0.1, application/json", "json text/html", "\x00<script>"} {
		f.Add(a, "req-1")
	}
	f.Fuzz(func(t *testing.T, accept, id string) {
		r := httptest.NewRequest("GET", "/", nil)
		r.Header.Set("Accept", accept)
		r.Header.Set(Header, id)
		w := httptest.NewRecorder()
		Reject(w, r, http.StatusForbidden, 0)
		if w.Code != http.StatusForbidden {
			t.Fatalf("status %d", w.Code)
		}
		body := w.Body.String()
		switch ct := w.Header().Get("Content-Type"); {
		case strings.HasPrefix(ct, "text/html"):
			if strings.Contains(body, "<script") {
				t.Fatalf("unescaped markup in the page: %q", body)
			}
		case strings.HasPrefix(ct, "application/problem+json"):
			var p map[string]any
			if err := json.Unmarshal([]byte(body), &p); err != nil {
				t.Fatalf("problem does not parse: %v\n%s", err, body)
			}
		default:
			t.Fatalf("content type %q", ct)
		}
	})
}
