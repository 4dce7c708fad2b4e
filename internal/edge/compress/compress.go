// Package compress owns response compression at the edge: brotli
// (github.com/andybalholm/brotli) when the client accepts it, gzip
// otherwise, for compressible content types above a minimum size. The edge
// places it behind the cache, so each encoding is computed once per cached
// object (the cache keeps one variant per normalized Accept-Encoding), not
// once per hit.
package compress

import (
	"compress/gzip"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"

	"github.com/andybalholm/brotli"
)

// Config configures compression.
type Config struct {
	// MinBytes is the smallest body compressed (by Content-Length when the
	// origin sets it); 0 means 1024.
	MinBytes int
	// Level is the compression level for both codings; 0 means 5, a good
	// trade of speed and size for dynamic pages.
	Level int
}

// Compressor is a middleware with pooled encoders.
type Compressor struct {
	cfg        Config
	gzipPool   sync.Pool
	brotliPool sync.Pool
}

// New builds a Compressor.
func New(cfg Config) *Compressor {
	if cfg.MinBytes == 0 {
		cfg.MinBytes = 1024
	}
	if cfg.Level == 0 {
		cfg.Level = 5
	}
	c := &Compressor{cfg: cfg}
	c.gzipPool.New = func() any {
		w, _ := gzip.NewWriterLevel(io.Discard, min(cfg.Level, gzip.BestCompression))
		return w
	}
	c.brotliPool.New = func() any { return brotli.NewWriterLevel(io.Discard, min(cfg.Level, brotli.BestCompression)) }
	return c
}

// choose picks the coding from Accept-Encoding ("" for none). q=0 refuses.
func choose(ae string) string {
	var br, gz bool
	for part := range strings.SplitSeq(strings.ToLower(ae), ",") {
		name, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		if q, ok := strings.CutPrefix(strings.TrimSpace(params), "q="); ok {
			if v, err := strconv.ParseFloat(q, 64); err == nil && v == 0 {
				continue
			}
		}
		switch strings.TrimSpace(name) {
		case "br":
			br = true
		case "gzip":
			gz = true
		}
	}
	switch {
	case br:
		return "br"
	case gz:
		return "gzip"
	}
	return ""
}

func compressible(ct string) bool {
	ct = strings.ToLower(ct)
	return strings.HasPrefix(ct, "text/") || strings.Contains(ct, "json") || strings.Contains(ct, "javascript") ||
		strings.Contains(ct, "xml") || strings.Contains(ct, "svg")
}

// Middleware compresses next's responses.
func (c *Compressor) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Add("Vary", "Accept-Encoding")
		coding := choose(r.Header.Get("Accept-Encoding"))
		if coding == "" || r.Method == http.MethodHead || r.Header.Get("Range") != "" {
			next.ServeHTTP(w, r)
			return
		}
		cw := &writer{ResponseWriter: w, c: c, coding: coding}
		defer cw.close()
		next.ServeHTTP(cw, r)
	})
}

// writer decides at WriteHeader whether to compress.
type writer struct {
	http.ResponseWriter
	c       *Compressor
	coding  string
	decided bool
	enc     io.WriteCloser
}

func (w *writer) WriteHeader(code int) {
	if w.decided {
		return
	}
	w.decided = true
	h := w.Header()
	n, err := strconv.Atoi(h.Get("Content-Length"))
	small := err == nil && n < w.c.cfg.MinBytes
	if code == http.StatusOK && !small && h.Get("Content-Encoding") == "" && compressible(h.Get("Content-Type")) &&
		!strings.Contains(strings.ToLower(h.Get("Cache-Control")), "no-transform") {
		h.Del("Content-Length")
		h.Set("Content-Encoding", w.coding)
		if et := h.Get("ETag"); et != "" && !strings.HasPrefix(et, "W/") {
			h.Set("ETag", "W/"+et) // the bytes differ from the origin's
		}
		switch w.coding {
		case "br":
			bw := w.c.brotliPool.Get().(*brotli.Writer)
			bw.Reset(w.ResponseWriter)
			w.enc = bw
		default:
			gw := w.c.gzipPool.Get().(*gzip.Writer)
			gw.Reset(w.ResponseWriter)
			w.enc = gw
		}
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *writer) Write(p []byte) (int, error) {
	if !w.decided {
		if w.Header().Get("Content-Type") == "" {
			w.Header().Set("Content-Type", http.DetectContentType(p))
		}
		w.WriteHeader(http.StatusOK)
	}
	if w.enc != nil {
		return w.enc.Write(p)
	}
	return w.ResponseWriter.Write(p)
}

// Flush pushes compressed bytes through for streamed responses.
func (w *writer) Flush() {
	if f, ok := w.enc.(interface{ Flush() error }); ok {
		_ = f.Flush()
	}
	_ = http.NewResponseController(w.ResponseWriter).Flush()
}

func (w *writer) close() {
	if w.enc == nil {
		return
	}
	_ = w.enc.Close()
	switch e := w.enc.(type) {
	case *brotli.Writer:
		e.Reset(io.Discard)
		w.c.brotliPool.Put(e)
	case *gzip.Writer:
		e.Reset(io.Discard)
		w.c.gzipPool.Put(e)
	}
	w.enc = nil
}
