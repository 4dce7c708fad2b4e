package loadgen

import (
	"slices"
	"strings"
	"testing"
)

func TestParseReplayCSV(t *testing.T) {
	tests := []struct {
		name, in string
		want     []float64
		bad      bool
	}{
		{name: "header and rows", in: "minute,count\n0,10\n1,20\n2,5\n", want: []float64{10, 20, 5}},
		{name: "gaps are zero", in: "0,1\n3,4\n", want: []float64{1, 0, 0, 4}},
		{name: "extra columns and spaces", in: "0, 7, note\n1, 8.5,x\n", want: []float64{7, 8.5}},
		{name: "out of order", in: "1,1\n0,1\n", bad: true},
		{name: "duplicate", in: "0,1\n0,2\n", bad: true},
		{name: "negative", in: "0,-1\n", bad: true},
		{name: "NaN", in: "0,NaN\n", bad: true},
		{name: "empty", in: "", bad: true},
		{name: "header only", in: "minute,count\n", bad: true},
		{name: "one column", in: "0\n", bad: true},
		{name: "too long", in: "20000,1\n", bad: true},
		{name: "bad minute after header", in: "m,c\nx,1\n", bad: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseReplayCSV(strings.NewReader(tt.in))
			if tt.bad {
				if err == nil {
					t.Fatalf("accepted %q as %v", tt.in, got)
				}
				return
			}
			if err != nil || !slices.Equal(got, tt.want) {
				t.Fatalf("got %v, %v; want %v", got, err, tt.want)
			}
		})
	}
}

// FuzzParseReplayCSV: any input either fails cleanly or gives a curve every
// profile can be built from and scheduled.
func FuzzParseReplayCSV(f *testing.F) {
	f.Add("minute,count\n0,10\n1,20\n")
	f.Add("0,1\n5,1e9\n")
	f.Add("\"0\",\"1\"\n")
	f.Add("0,0\n")
	f.Fuzz(func(t *testing.T, in string) {
		counts, err := ParseReplayCSV(strings.NewReader(in))
		if err != nil {
			return
		}
		if len(counts) == 0 || len(counts) > maxReplayMinutes {
			t.Fatalf("%d minutes", len(counts))
		}
		for _, c := range counts {
			if !(c >= 0 && c <= 1e9) {
				t.Fatalf("count %v", c)
			}
		}
		p, err := (ProfileSpec{Kind: ProfileReplay, Rate: 50}).Build(2e9, counts)
		if err != nil {
			return // a curve with no traffic
		}
		if n := PerSecond(p, 2e9); len(n) != 2 || n[0]+n[1] > 101 {
			t.Fatalf("scheduled %v for a peak of 50/s", n)
		}
	})
}
