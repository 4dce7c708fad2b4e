package compress

import (
	"compress/gzip"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/andybalholm/brotli"
)

func TestCompression(t *testing.T) {
	page := strings.Repeat("<p>Black Friday deals</p>\n", 200)
	c := New(Config{})
	h := c.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/img":
			w.Header().Set("Content-Type", "image/png")
		case "/small":
			w.Header().Set("Content-Type", "text/html")
			w.Header().Set("Content-Length", "5")
			io.WriteString(w, "small")
			return
		default:
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			w.Header().Set("ETag", `"v1"`)
		}
		io.WriteString(w, page)
	}))
	tests := []struct {
		path, ae, wantCoding string
	}{
		{"/", "gzip, deflate, br", "br"},
		{"/", "gzip", "gzip"},
		{"/", "br;q=0, gzip", "gzip"},
		{"/", "", ""},
		{"/img", "br", ""},
		{"/small", "br", ""},
	}
	for _, tc := range tests {
		t.Run(tc.path+" "+tc.ae, func(t *testing.T) {
			r := httptest.NewRequest("GET", tc.path, nil)
			r.Header.Set("Accept-Encoding", tc.ae)
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, r)
			if got := rec.Header().Get("Content-Encoding"); got != tc.wantCoding {
				t.Fatalf("Content-Encoding %q, want %q", got, tc.wantCoding)
			}
			if rec.Header().Get("Vary") != "Accept-Encoding" {
				t.Error("missing Vary: Accept-Encoding")
			}
			var body io.Reader = rec.Body
			switch tc.wantCoding {
			case "gzip":
				zr, err := gzip.NewReader(rec.Body)
				if err != nil {
					t.Fatal(err)
				}
				body = zr
			case "br":
				body = brotli.NewReader(rec.Body)
			}
			got, _ := io.ReadAll(body)
			if tc.path == "/" && string(got) != page {
				t.Errorf("round trip lost data (%d bytes)", len(got))
			}
			if tc.wantCoding != "" && rec.Header().Get("ETag") != `W/"v1"` {
				t.Errorf("ETag %q not weakened", rec.Header().Get("ETag"))
			}
		})
	}
}
