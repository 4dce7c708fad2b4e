// Package placeholder owns the demo shop's product images: pictures drawn
// from a key (a product slug and image number), so 2,000 products have
// distinct, stable images without shipping megabytes of files. The same key
// gives the same bytes on every run and machine, which lets HTTP caches and
// the edge treat them like any static asset.
//
// Only the standard library is used: a soft gradient and a few translucent
// shapes are a few dozen lines, not worth a graphics dependency.
package placeholder

import (
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"math/rand/v2"
)

// Size limits of Render, in pixels per side. The upper bound keeps one
// request from costing a 16-megapixel allocation.
const (
	MinSize = 16
	MaxSize = 2048
)

// ErrSize is returned for a width or height outside MinSize..MaxSize.
var ErrSize = errors.New("placeholder: size out of range")

// Render writes a width x height PNG drawn from key: a soft diagonal gradient
// with a few translucent circles and rectangles, all chosen by a hash of key.
func Render(w io.Writer, key string, width, height int) error {
	if width < MinSize || width > MaxSize || height < MinSize || height > MaxSize {
		return fmt.Errorf("%w: %dx%d, want %d..%d per side", ErrSize, width, height, MinSize, MaxSize)
	}
	img := draw(key, width, height)
	// Encoding dominates the cost; BestSpeed halves it for files a few
	// per cent larger, and paletted rows that repeat shifted by one pixel
	// compress well at any level.
	enc := png.Encoder{CompressionLevel: png.BestSpeed}
	if err := enc.Encode(w, img); err != nil {
		return fmt.Errorf("placeholder: encode: %w", err)
	}
	return nil
}

// draw paints the picture for key. Every choice comes from one PCG stream
// seeded by SHA-256 of the key, so the picture is a pure function of its inputs.
func draw(key string, width, height int) *image.Paletted {
	sum := sha256.Sum256([]byte(key))
	rng := rand.New(rand.NewPCG(binary.LittleEndian.Uint64(sum[0:8]), binary.LittleEndian.Uint64(sum[8:16])))

	hue := rng.Float64() * 360
	from := hsl(hue, 0.35+rng.Float64()*0.2, 0.86+rng.Float64()*0.06)
	to := hsl(hue+30+rng.Float64()*50, 0.35+rng.Float64()*0.2, 0.74+rng.Float64()*0.08)
	shapes := 3 + rng.IntN(maxShapes-2)
	accents := make([]color.RGBA, shapes)
	alphas := make([]int, shapes)
	for i := range accents {
		// Accent hues sit across the wheel from the background so the
		// shapes stand out while staying in one palette.
		accents[i] = hsl(hue+120+rng.Float64()*120, 0.45+rng.Float64()*0.2, 0.5+rng.Float64()*0.2)
		alphas[i] = 120 + rng.IntN(100)
	}
	img := image.NewPaletted(image.Rect(0, 0, width, height), palette(from, to, accents, alphas))
	gradient(img, rng.IntN(2) == 0)

	side := min(width, height)
	for i := range shapes {
		layer := uint8(steps * (i + 1))
		// Centres keep off the outer tenth so no shape is only a sliver.
		cx, cy := width/10+rng.IntN(width*8/10), height/10+rng.IntN(height*8/10)
		if rng.IntN(2) == 0 {
			circle(img, cx, cy, side/10+rng.IntN(side/5+1), layer)
		} else {
			w, h := side/6+rng.IntN(side/3+1), side/6+rng.IntN(side/3+1)
			rect(img, image.Rect(cx-w/2, cy-h/2, cx+w/2, cy+h/2), layer)
		}
	}
	return img
}
