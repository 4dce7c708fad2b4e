// Package imaging owns on-the-fly image resizing at the edge:
// /img/{path}?w=480&q=75 fetches /{path} from the origin, scales it to the
// width with golang.org/x/image/draw, and re-encodes it (JPEG at quality q,
// or PNG for PNG sources). The edge puts it behind the cache, so each
// variant is computed once.
//
// Because resizing costs real CPU, it is fenced in: widths and qualities
// snap to a short list (a bounded number of variants per image), sources
// are capped in bytes and in pixels (checked from the header before any
// decoding, against decompression bombs), and a semaphore bounds how many
// resizes run at once; past it the request gets 503.
package imaging

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/jpeg"
	"image/png"
	"log/slog"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"golang.org/x/image/draw"

	"github.com/peakshop/peakshop/internal/edge/reqid"
)

// Config configures resizing.
type Config struct {
	// Prefix is the URL prefix; "" means "/img/".
	Prefix string
	// Widths are the allowed output widths; a request snaps to the nearest
	// one not below it. nil means 160, 320, 480, 640, 960, 1280.
	Widths []int
	// MaxSourceBytes and MaxSourcePixels bound the original; 0 means
	// 10 MiB and 25 megapixels.
	MaxSourceBytes  int
	MaxSourcePixels int
	// Concurrency bounds resizes in flight; 0 means 2.
	Concurrency int
}

// Resizer is the middleware.
type Resizer struct {
	cfg    Config
	sem    chan struct{}
	logger *slog.Logger
}

// New builds a Resizer.
func New(cfg Config, logger *slog.Logger) (*Resizer, error) {
	if cfg.Prefix == "" {
		cfg.Prefix = "/img/"
	}
	if cfg.Widths == nil {
		cfg.Widths = []int{160, 320, 480, 640, 960, 1280}
	}
	cfg.Widths = slices.Sorted(slices.Values(cfg.Widths))
	if cfg.MaxSourceBytes == 0 {
		cfg.MaxSourceBytes = 10 << 20
	}
	if cfg.MaxSourcePixels == 0 {
		cfg.MaxSourcePixels = 25_000_000
	}
	if cfg.Concurrency == 0 {
		cfg.Concurrency = 2
	}
	if len(cfg.Widths) == 0 || cfg.Widths[0] <= 0 || cfg.Concurrency < 0 {
		return nil, errors.New("imaging: need positive widths and concurrency")
	}
	return &Resizer{cfg: cfg, sem: make(chan struct{}, cfg.Concurrency), logger: logger}, nil
}

// snapWidth returns the smallest allowed width >= w, or the largest.
func (rz *Resizer) snapWidth(w int) int {
	for _, a := range rz.cfg.Widths {
		if a >= w {
			return a
		}
	}
	return rz.cfg.Widths[len(rz.cfg.Widths)-1]
}

// snapQuality rounds q to a multiple of 10 within 40..90 (default 75).
func snapQuality(s string) int {
	q, err := strconv.Atoi(s)
	if err != nil {
		return 75
	}
	return min(max((q+5)/10*10, 40), 90)
}

// Middleware resizes requests under the prefix and passes the rest on.
func (rz *Resizer) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rest, ok := strings.CutPrefix(r.URL.Path, rz.cfg.Prefix)
		if !ok || (r.Method != http.MethodGet && r.Method != http.MethodHead) {
			next.ServeHTTP(w, r)
			return
		}
		width, err := strconv.Atoi(r.URL.Query().Get("w"))
		if err != nil || width <= 0 || strings.Contains(rest, "..") {
			reqid.Reject(w, r, http.StatusBadRequest, 0)
			return
		}
		select {
		case rz.sem <- struct{}{}:
			defer func() { <-rz.sem }()
		default:
			reqid.Reject(w, r, http.StatusServiceUnavailable, 1)
			return
		}
		rz.serve(w, r, next, "/"+rest, rz.snapWidth(width), snapQuality(r.URL.Query().Get("q")))
	})
}

func (rz *Resizer) serve(w http.ResponseWriter, r *http.Request, next http.Handler, src string, width, quality int) {
	orig := r.Clone(r.Context())
	orig.URL.Path, orig.URL.RawPath, orig.URL.RawQuery, orig.RequestURI = src, "", "", ""
	orig.Header.Del("Accept-Encoding") // the original's bytes, not a compressed form
	rec := &capture{header: http.Header{}, limit: rz.cfg.MaxSourceBytes}
	next.ServeHTTP(rec, orig)
	if rec.status != http.StatusOK {
		status := rec.status
		if status < 400 {
			status = http.StatusBadGateway
		}
		reqid.Reject(w, r, status, 0)
		return
	}
	if rec.overflow {
		reqid.Reject(w, r, http.StatusRequestEntityTooLarge, 0)
		return
	}
	out, ctype, err := rz.resize(rec.body.Bytes(), width, quality)
	if err != nil {
		rz.logger.Warn("image resize failed", "request_id", reqid.From(r), "src", src, "err", err)
		reqid.Reject(w, r, http.StatusUnprocessableEntity, 0)
		return
	}
	h := w.Header()
	for _, k := range []string{"Cache-Control", "Expires", "Last-Modified", "Surrogate-Key"} {
		if v := rec.header.Values(k); len(v) > 0 {
			h[k] = v
		}
	}
	if et := rec.header.Get("ETag"); et != "" {
		h.Set("ETag", fmt.Sprintf(`W/"%s-w%d-q%d"`, strings.Trim(strings.TrimPrefix(et, "W/"), `"`), width, quality))
	}
	h.Set("Content-Type", ctype)
	h.Set("Content-Length", strconv.Itoa(len(out)))
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		_, _ = w.Write(out)
	}
}

// resize decodes (after checking the pixel count from the header alone),
// scales to width keeping the aspect ratio (never upscaling), and encodes.
func (rz *Resizer) resize(src []byte, width, quality int) ([]byte, string, error) {
	cfg, format, err := image.DecodeConfig(bytes.NewReader(src))
	if err != nil {
		return nil, "", fmt.Errorf("decode header: %w", err)
	}
	if cfg.Width <= 0 || cfg.Height <= 0 || cfg.Width*cfg.Height > rz.cfg.MaxSourcePixels {
		return nil, "", fmt.Errorf("source is %dx%d pixels", cfg.Width, cfg.Height)
	}
	img, _, err := image.Decode(bytes.NewReader(src))
	if err != nil {
		return nil, "", fmt.Errorf("decode: %w", err)
	}
	width = min(width, cfg.Width)
	height := max(1, cfg.Height*width/cfg.Width)
	dst := image.NewRGBA(image.Rect(0, 0, width, height))
	draw.CatmullRom.Scale(dst, dst.Bounds(), img, img.Bounds(), draw.Src, nil)
	var buf bytes.Buffer
	if format == "png" {
		err = (&png.Encoder{CompressionLevel: png.BestSpeed}).Encode(&buf, dst)
		return buf.Bytes(), "image/png", err
	}
	err = jpeg.Encode(&buf, dst, &jpeg.Options{Quality: quality})
	return buf.Bytes(), "image/jpeg", err
}

// capture buffers the original image, up to a limit.
type capture struct {
	header   http.Header
	status   int
	body     bytes.Buffer
	limit    int
	overflow bool
}

func (c *capture) Header() http.Header { return c.header }

func (c *capture) WriteHeader(code int) {
	if c.status == 0 {
		c.status = code
	}
}

func (c *capture) Write(p []byte) (int, error) {
	if c.status == 0 {
		c.status = http.StatusOK
	}
	if c.body.Len()+len(p) > c.limit {
		c.overflow = true
		return 0, errors.New("imaging: source too large")
	}
	return c.body.Write(p)
}
