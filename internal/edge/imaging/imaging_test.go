package imaging

import (
	"bytes"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
)

func mustPNG(tb testing.TB, w, h int) []byte {
	tb.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for x := range w {
		img.Set(x, x%h, color.RGBA{R: 200, A: 255})
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

func mustJPEG(tb testing.TB, w, h int) []byte {
	tb.Helper()
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, image.NewRGBA(image.Rect(0, 0, w, h)), nil); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

func TestResize(t *testing.T) {
	files := map[string][]byte{
		"/products/42.jpg":   mustJPEG(t, 320, 160),
		"/products/42.png":   mustPNG(t, 200, 200),
		"/products/tiny.jpg": mustJPEG(t, 100, 50),
		"/bomb.png":          mustPNG(t, 400, 400),
		"/notes.txt":         []byte("not an image"),
	}
	origin := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, ok := files[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Cache-Control", "public, max-age=86400")
		w.Header().Set("ETag", `"abc"`)
		w.Write(b)
	})
	rz, err := New(Config{MaxSourcePixels: 100_000}, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	h := rz.Middleware(origin)
	tests := []struct {
		url    string
		status int
		ctype  string
		wantW  int
		wantH  int
	}{
		{"/img/products/42.jpg?w=160&q=75", 200, "image/jpeg", 160, 80},
		{"/img/products/42.jpg?w=100", 200, "image/jpeg", 160, 80}, // snaps up to 160
		{"/img/products/42.png?w=160", 200, "image/png", 160, 160},
		{"/img/products/tiny.jpg?w=1280", 200, "image/jpeg", 100, 50}, // never upscales
		{"/img/products/42.jpg", 400, "", 0, 0},
		{"/img/products/42.jpg?w=abc", 400, "", 0, 0},
		{"/img/missing.jpg?w=160", 404, "", 0, 0},
		{"/img/bomb.png?w=160", 422, "", 0, 0},
		{"/img/notes.txt?w=160", 422, "", 0, 0},
		{"/products/42.jpg", 200, "", 0, 0}, // not under the prefix: passed on
	}
	for _, tc := range tests {
		t.Run(tc.url, func(t *testing.T) {
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, httptest.NewRequest("GET", tc.url, nil))
			if rec.Code != tc.status {
				t.Fatalf("status %d, want %d", rec.Code, tc.status)
			}
			if tc.ctype == "" {
				return
			}
			if rec.Header().Get("Content-Type") != tc.ctype || rec.Header().Get("Cache-Control") != "public, max-age=86400" {
				t.Errorf("headers %v", rec.Header())
			}
			cfg, _, err := image.DecodeConfig(rec.Body)
			if err != nil || cfg.Width != tc.wantW || cfg.Height != tc.wantH {
				t.Errorf("got %dx%d (%v), want %dx%d", cfg.Width, cfg.Height, err, tc.wantW, tc.wantH)
			}
		})
	}
}

func TestConcurrencyBound(t *testing.T) {
	release := make(chan struct{})
	entered := make(chan struct{})
	origin := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		entered <- struct{}{}
		<-release
		http.NotFound(w, r)
	})
	rz, _ := New(Config{Concurrency: 1}, slog.New(slog.DiscardHandler))
	h := rz.Middleware(origin)
	done := make(chan struct{})
	go func() {
		h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/img/a.jpg?w=160", nil))
		close(done)
	}()
	<-entered
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/img/b.jpg?w=160", nil))
	if rec.Code != http.StatusServiceUnavailable {
		t.Errorf("second concurrent resize: %d, want 503", rec.Code)
	}
	close(release)
	<-done
}

func TestSnapQuality(t *testing.T) {
	for in, want := range map[string]int{"": 75, "x": 75, "1": 40, "74": 70, "75": 80, "100": 90} {
		if got := snapQuality(in); got != want {
			t.Errorf("snapQuality(%q) = %d, want %d", in, got, want)
		}
	}
}
