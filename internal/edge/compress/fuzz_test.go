package compress

import (
	"strings"
	"testing"
)

func FuzzChoose(f *testing.F) {
	for _, s := range []string{"gzip, deflate, br", "br;q=0", "GZIP;q=0.5", ",,;q=", "identity", "br;q=abc"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, ae string) {
		got := choose(ae)
		if got != "" && got != "br" && got != "gzip" {
			t.Fatalf("choose(%q) = %q", ae, got)
		}
		if got != "" && !strings.Contains(strings.ToLower(ae), got) {
			t.Fatalf("choose(%q) = %q, which the client never named", ae, got)
		}
	})
}
