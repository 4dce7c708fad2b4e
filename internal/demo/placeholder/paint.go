package placeholder

import (
	"image"
	"image/color"
	"math"
)

// The picture is paletted rather than true colour: image/png filters every
// row of an RGBA image five ways and picks the best, which made encoding a
// 400x400 picture cost 7 ms; a paletted image skips filtering and holds one
// byte per pixel, and renders in about a third of the time.
//
// The palette has one band of gradient steps for the background and one
// band per shape: entry layer*steps+g is shape layer's colour blended over
// gradient step g. A shape painted over another covers it, like paper
// cut-outs, while staying translucent over the background.
const (
	steps     = 42 // gradient steps; a few channel levels apart, so no visible banding
	maxShapes = 5  // (1+maxShapes)*steps must stay within 256 palette entries
)

// palette builds the gradient band and one blended band per accent.
func palette(from, to color.RGBA, accents []color.RGBA, alphas []int) color.Palette {
	p := make(color.Palette, 0, steps*(1+len(accents)))
	for g := range steps {
		p = append(p, mix(from, to, float64(g)/(steps-1)))
	}
	for i, a := range accents {
		t := float64(alphas[i]) / 255
		for g := range steps {
			p = append(p, mix(p[g].(color.RGBA), a, t))
		}
	}
	return p
}

// gradient fills img along a diagonal with the background band. Every pixel
// on a diagonal line has the same step, so one table of w+h-1 steps serves
// all rows: each row is a contiguous slice of it, copied, not computed.
func gradient(img *image.Paletted, rising bool) {
	w, h := img.Rect.Dx(), img.Rect.Dy()
	n := w + h - 1
	lut := make([]uint8, n)
	for i := range lut {
		lut[i] = uint8(i * steps / n)
	}
	for y := range h {
		start := y
		if rising {
			start = h - 1 - y
		}
		copy(img.Pix[y*img.Stride:y*img.Stride+w], lut[start:])
	}
}

// circle paints a filled disc of layer over img, span by span.
func circle(img *image.Paletted, cx, cy, r int, layer uint8) {
	b := img.Rect
	for y := max(cy-r, b.Min.Y); y <= min(cy+r, b.Max.Y-1); y++ {
		dy := float64(y - cy)
		half := int(math.Sqrt(float64(r*r) - dy*dy))
		span(img, y, max(cx-half, b.Min.X), min(cx+half+1, b.Max.X), layer)
	}
}

// rect paints a filled rectangle of layer over img.
func rect(img *image.Paletted, r image.Rectangle, layer uint8) {
	r = r.Intersect(img.Rect)
	for y := r.Min.Y; y < r.Max.Y; y++ {
		span(img, y, r.Min.X, r.Max.X, layer)
	}
}

// span moves pixels [x0, x1) of row y into layer's band, keeping each
// pixel's gradient step.
func span(img *image.Paletted, y, x0, x1 int, layer uint8) {
	if x0 >= x1 {
		return
	}
	row := img.Pix[y*img.Stride+x0 : y*img.Stride+x1]
	for i, p := range row {
		row[i] = layer + p%steps
	}
}

// mix returns a+(b-a)*t per channel, opaque.
func mix(a, b color.RGBA, t float64) color.RGBA {
	l := func(x, y uint8) uint8 { return uint8(math.Round(float64(x) + (float64(y)-float64(x))*t)) }
	return color.RGBA{l(a.R, b.R), l(a.G, b.G), l(a.B, b.B), 0xff}
}

// hsl converts hue (degrees, any value), saturation and lightness (0..1).
func hsl(h, s, l float64) color.RGBA {
	h = math.Mod(h, 360)
	if h < 0 {
		h += 360
	}
	c := (1 - math.Abs(2*l-1)) * s
	x := c * (1 - math.Abs(math.Mod(h/60, 2)-1))
	m := l - c/2
	var r, g, b float64
	switch {
	case h < 60:
		r, g, b = c, x, 0
	case h < 120:
		r, g, b = x, c, 0
	case h < 180:
		r, g, b = 0, c, x
	case h < 240:
		r, g, b = 0, x, c
	case h < 300:
		r, g, b = x, 0, c
	default:
		r, g, b = c, 0, x
	}
	to8 := func(v float64) uint8 { return uint8(math.Round(math.Min(math.Max(v+m, 0), 1) * 255)) }
	return color.RGBA{to8(r), to8(g), to8(b), 0xff}
}
