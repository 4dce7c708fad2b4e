package edge

import (
	"runtime/debug"
	"testing"
)

func TestTuneGCLeavesAnOperatorsChoice(t *testing.T) {
	if got := TuneGC(func(k string) string { return map[string]string{"GOGC": "200"}[k] }, 0); got != 0 {
		t.Fatalf("GOGC set, yet TuneGC set a limit of %d", got)
	}
	before := debug.SetGCPercent(100)
	defer debug.SetGCPercent(before)
	defer debug.SetMemoryLimit(debug.SetMemoryLimit(-1))
	if got, want := TuneGC(func(string) string { return "" }, 64<<20), int64(384<<20); got != want {
		t.Fatalf("memory limit %d, want %d (twice the cache plus 256 MiB)", got, want)
	}
	if p := debug.SetGCPercent(100); p != GCPercent {
		t.Fatalf("GOGC %d, want %d", p, GCPercent)
	}
}
