package placeholder

import (
	"bytes"
	"errors"
	"image/png"
	"testing"
)

func mustRender(tb testing.TB, key string, w, h int) []byte {
	tb.Helper()
	var buf bytes.Buffer
	if err := Render(&buf, key, w, h); err != nil {
		tb.Fatalf("Render(%q, %d, %d): %v", key, w, h, err)
	}
	return buf.Bytes()
}

func TestRenderIsDeterministic(t *testing.T) {
	a := mustRender(t, "classic-cotton-t-shirt-1", 400, 400)
	b := mustRender(t, "classic-cotton-t-shirt-1", 400, 400)
	if !bytes.Equal(a, b) {
		t.Fatal("the same key rendered different bytes")
	}
	if c := mustRender(t, "classic-cotton-t-shirt-2", 400, 400); bytes.Equal(a, c) {
		t.Error("different keys rendered the same image")
	}
}

func TestRenderSizes(t *testing.T) {
	tests := []struct {
		w, h int
		ok   bool
	}{
		{MinSize, MinSize, true},
		{400, 300, true},
		{17, 900, true},
		{MaxSize, MaxSize, true},
		{MinSize - 1, 400, false},
		{400, MaxSize + 1, false},
		{0, 0, false},
		{-400, 400, false},
	}
	for _, tt := range tests {
		var buf bytes.Buffer
		err := Render(&buf, "key", tt.w, tt.h)
		if !tt.ok {
			if !errors.Is(err, ErrSize) || buf.Len() != 0 {
				t.Errorf("Render %dx%d = %v with %d bytes, want ErrSize and nothing written", tt.w, tt.h, err, buf.Len())
			}
			continue
		}
		if err != nil {
			t.Fatalf("Render %dx%d: %v", tt.w, tt.h, err)
		}
		img, err := png.Decode(&buf)
		if err != nil {
			t.Fatalf("decode %dx%d: %v", tt.w, tt.h, err)
		}
		if b := img.Bounds(); b.Dx() != tt.w || b.Dy() != tt.h {
			t.Errorf("decoded %v, want %dx%d", b, tt.w, tt.h)
		}
	}
}

// The picture must not be a flat fill: a gradient and shapes mean many colours.
func TestRenderHasContent(t *testing.T) {
	img, err := png.Decode(bytes.NewReader(mustRender(t, "hidden-meadow-handbook-1", 200, 200)))
	if err != nil {
		t.Fatal(err)
	}
	colours := map[[4]uint32]bool{}
	for y := 0; y < 200; y += 4 {
		for x := 0; x < 200; x += 4 {
			r, g, b, a := img.At(x, y).RGBA()
			if a != 0xffff {
				t.Fatalf("pixel %d,%d is not opaque", x, y)
			}
			colours[[4]uint32{r, g, b, a}] = true
		}
	}
	if len(colours) < 50 {
		t.Errorf("%d distinct colours, want a gradient with shapes", len(colours))
	}
}

func BenchmarkRender400(b *testing.B) {
	var buf bytes.Buffer
	for b.Loop() {
		buf.Reset()
		if err := Render(&buf, "classic-cotton-t-shirt-1", 400, 400); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(buf.Len()), "bytes/image")
}
