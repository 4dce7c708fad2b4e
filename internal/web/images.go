// Package web serves what people see in a browser. For now that is the demo
// catalog's generated product images; the storefront pages grow here.
package web

import (
	"bytes"
	"log/slog"
	"net/http"
	"strconv"
	"strings"

	"github.com/peakshop/peakshop/internal/demo/placeholder"
)

// Sizes a client may ask for with ?w=: a fixed set, so nobody can make the
// server render (and a cache keep) a million variants of one image.
var imageWidths = map[string]int{"": 600, "160": 160, "320": 320, "600": 600, "1200": 1200}

// PlaceholderImages serves /images/products/{name}.png as a generated,
// deterministic picture: the demo catalog ships no image files. The bytes
// never change for a name, so they are cached for a year.
func PlaceholderImages(logger *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		name := r.PathValue("name")
		key, ok := strings.CutSuffix(name, ".png")
		width, okw := imageWidths[r.URL.Query().Get("w")]
		if !ok || !okw || key == "" || len(key) > 200 {
			http.Error(w, "no such image", http.StatusNotFound)
			return
		}
		etag := `"` + strconv.Itoa(width) + "-" + key + `"`
		w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
		w.Header().Set("ETag", etag)
		if r.Header.Get("If-None-Match") == etag {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		var buf bytes.Buffer
		if err := placeholder.Render(&buf, key, width, width); err != nil {
			logger.ErrorContext(r.Context(), "render placeholder", "name", name, "err", err)
			http.Error(w, "image unavailable", http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "image/png")
		w.Header().Set("Content-Length", strconv.Itoa(buf.Len()))
		_, _ = w.Write(buf.Bytes())
	})
}
