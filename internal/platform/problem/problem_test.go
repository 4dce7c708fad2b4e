package problem_test

import (
	"encoding/json"
	"net/http/httptest"
	"testing"

	"github.com/peakshop/peakshop/internal/platform/problem"
)

func TestWriteWithExtensions(t *testing.T) {
	p := problem.New(409, "short")
	p.Type = "/api/problems/out-of-stock"
	p.Errors = []problem.Field{{Name: "sku", Reason: "gone"}}
	p.Extensions = map[string]any{"shortages": []string{"A-1"}}
	rec := httptest.NewRecorder()
	problem.Write(rec, p)
	if rec.Code != 409 || rec.Header().Get("Content-Type") != problem.ContentType {
		t.Fatalf("%d %q", rec.Code, rec.Header().Get("Content-Type"))
	}
	var got map[string]any
	if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil {
		t.Fatalf("%v: %s", err, rec.Body)
	}
	for _, k := range []string{"type", "title", "status", "detail", "errors", "shortages"} {
		if _, ok := got[k]; !ok {
			t.Errorf("member %q missing: %s", k, rec.Body)
		}
	}
	if got["title"] != "Conflict" || got["status"] != float64(409) {
		t.Fatalf("%s", rec.Body)
	}
}
