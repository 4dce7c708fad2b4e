package jsonbody_test

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/peakshop/peakshop/internal/platform/jsonbody"
)

type target struct {
	Name  string `json:"name"`
	Count int    `json:"count"`
	Inner struct {
		Flag bool `json:"flag"`
	} `json:"inner"`
}

func decode(body, contentType string, limit int64) (target, error) {
	r := httptest.NewRequest("POST", "/", strings.NewReader(body))
	r.Header.Set("Content-Type", contentType)
	var v target
	err := jsonbody.Decode(httptest.NewRecorder(), r, &v, limit)
	return v, err
}

func TestDecode(t *testing.T) {
	cases := []struct {
		name, body, ct string
		limit          int64
		status         int
		field          string
	}{
		{"ok", `{"name":"a","count":2,"inner":{"flag":true}}`, "application/json", 0, 0, ""},
		{"ok with charset", `{"name":"a"}`, "application/json; charset=utf-8", 0, 0, ""},
		{"problem+json type", `{}`, "application/merge-patch+json", 0, 0, ""},
		{"text", `{}`, "text/plain", 0, 415, ""},
		{"no type", `{}`, "", 0, 415, ""},
		{"empty", ``, "application/json", 0, 400, ""},
		{"syntax", `{"name":`, "application/json", 0, 400, ""},
		{"garbage", `nope`, "application/json", 0, 400, ""},
		{"trailing", `{} []`, "application/json", 0, 400, ""},
		{"unknown", `{"nme":"a"}`, "application/json", 0, 422, "nme"},
		{"type", `{"count":"x"}`, "application/json", 0, 422, "count"},
		{"nested type", `{"inner":{"flag":1}}`, "application/json", 0, 422, "inner.flag"},
		{"overflow", `{"count":1e400}`, "application/json", 0, 422, "count"},
		{"too large", `{"name":"` + strings.Repeat("x", 100) + `"}`, "application/json", 50, 413, ""},
		{"too large after value", `{}` + strings.Repeat(" ", 100) + `x`, "application/json", 50, 413, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := decode(c.body, c.ct, c.limit)
			if c.status == 0 {
				if err != nil {
					t.Fatalf("unexpected error %v", err)
				}
				return
			}
			var de *jsonbody.Error
			if !errors.As(err, &de) || de.Status != c.status || de.Field != c.field {
				t.Fatalf("got %#v, want status %d field %q", err, c.status, c.field)
			}
		})
	}
}

// FuzzDecode: any body yields either a value or a 4xx *Error, never a panic
// or another kind of error.
func FuzzDecode(f *testing.F) {
	for _, s := range []string{`{"name":"a","count":1}`, `{"count":-1e99}`, `[`, `{"inner":{"flag":null}}`, "\xff\xfe", `{"name":"\ud800"}`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body string) {
		_, err := decode(body, "application/json", 1024)
		if err == nil {
			return
		}
		var de *jsonbody.Error
		if !errors.As(err, &de) || de.Status < 400 || de.Status > 499 || de.Detail == "" {
			t.Fatalf("body %q: %#v", body, err)
		}
		if de.Status == http.StatusInternalServerError {
			t.Fatal("500")
		}
	})
}
