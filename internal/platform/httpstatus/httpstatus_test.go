package httpstatus

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

func TestRecorder(t *testing.T) {
	for name, c := range map[string]struct {
		h    http.HandlerFunc
		want int
	}{
		"nothing written": {func(http.ResponseWriter, *http.Request) {}, 200},
		"body only":       {func(w http.ResponseWriter, _ *http.Request) { w.Write([]byte("x")) }, 200},
		"first status":    {func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(404); w.WriteHeader(500) }, 404},
	} {
		rec := &Recorder{ResponseWriter: httptest.NewRecorder()}
		c.h(rec, httptest.NewRequest("GET", "/", nil))
		if rec.Status() != c.want {
			t.Errorf("%s: %d, want %d", name, rec.Status(), c.want)
		}
	}
}
