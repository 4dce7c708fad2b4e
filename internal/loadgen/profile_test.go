package loadgen

import (
	"math"
	"slices"
	"testing"
	"time"
)

func TestArrivalsPerSecond(t *testing.T) {
	s := time.Second
	tests := []struct {
		name string
		p    Profile
		dur  time.Duration
		want []int
	}{
		{"constant", Constant{PerSec: 100}, 5 * s, []int{100, 100, 100, 100, 100}},
		{"constant fraction", Constant{PerSec: 2.4}, 4 * s, []int{2, 3, 2, 3}},
		{"ramp", Ramp{From: 0, To: 100, Over: 10 * s}, 12 * s, []int{5, 15, 25, 35, 45, 55, 65, 75, 85, 95, 100, 100}},
		{"stairs", Stairs{From: 10, To: 40, Steps: 4, Every: 2 * s}, 8 * s, []int{10, 10, 20, 20, 30, 30, 40, 40}},
		{"spike", Spike{Base: 10, Factor: 5, At: 3 * s, Hold: 2 * s}, 6 * s, []int{10, 10, 10, 50, 50, 10}},
		{"replay", Replay{Counts: []float64{60, 120, 0, 30}, Minute: s, Scale: 1}, 4 * s, []int{60, 120, 0, 30}},
		{"replay scaled and ended", Replay{Counts: []float64{10}, Minute: s, Scale: 2}, 3 * s, []int{20, 0, 0}},
		{"zero", Constant{}, 3 * s, []int{0, 0, 0}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := PerSecond(tt.p, tt.dur)
			if !slices.Equal(got, tt.want) {
				t.Fatalf("arrivals per second\n got %v\nwant %v", got, tt.want)
			}
		})
	}
}

func TestDailyCurve(t *testing.T) {
	d := Daily{Low: 10, Peak: 100, Day: 24 * time.Second}
	got := PerSecond(d, 24*time.Second)
	if lo := slices.Index(got, slices.Min(got)); lo < 3 || lo > 4 {
		t.Errorf("trough in second %d, want 04:00 (%v)", lo, got)
	}
	if hi := slices.Index(got, slices.Max(got)); hi < 19 || hi > 20 {
		t.Errorf("peak in second %d, want 20:00 (%v)", hi, got)
	}
	var sum int
	for _, n := range got {
		sum += n
	}
	// Both halves are raised cosines, so the day averages (Low+Peak)/2.
	if want := 55 * 24; math.Abs(float64(sum-want)) > 2 {
		t.Errorf("total %d, want %d", sum, want)
	}
}

func TestBuildProfiles(t *testing.T) {
	dur := 60 * time.Second
	tests := []struct {
		spec    ProfileSpec
		replay  []float64
		atSec   int
		wantPer float64
	}{
		{ProfileSpec{Kind: ProfileConstant, Rate: 7}, nil, 30, 7},
		{ProfileSpec{Kind: ProfileRamp, Rate: 100, StartRate: 0}, nil, 30, 50},
		{ProfileSpec{Kind: ProfileStep, Rate: 50, StartRate: 10, Steps: 5}, nil, 59, 50},
		{ProfileSpec{Kind: ProfileSpike, Rate: 100}, nil, 25, 100},
		{ProfileSpec{Kind: ProfileSpike, Rate: 100}, nil, 5, 10},
		{ProfileSpec{Kind: ProfileDaily, Rate: 100, StartRate: 10}, nil, 50, 100},
		// 120 recorded minutes squeezed into 60 s: half a second each, peak at rate.
		{ProfileSpec{Kind: ProfileReplay, Rate: 40}, append(make([]float64, 118), 600, 0), 59, 40},
	}
	for _, tt := range tests {
		p, err := tt.spec.Build(dur, tt.replay)
		if err != nil {
			t.Fatalf("%+v: %v", tt.spec, err)
		}
		if got := p.Rate(time.Duration(tt.atSec) * time.Second); math.Abs(got-tt.wantPer) > 0.01 {
			t.Errorf("%s at %ds: rate %v, want %v", tt.spec.Kind, tt.atSec, got, tt.wantPer)
		}
	}
	if _, err := (ProfileSpec{Kind: ProfileReplay, Rate: 1}).Build(dur, nil); err == nil {
		t.Error("replay without a curve was accepted")
	}
	if _, err := (ProfileSpec{Kind: "sine", Rate: 1}).Build(dur, nil); err == nil {
		t.Error("unknown kind was accepted")
	}
}

func TestArrivalsRemaining(t *testing.T) {
	a := NewArrivals(Ramp{From: 0, To: 200, Over: 2 * time.Second}, 3*time.Second)
	for range 50 {
		if _, ok := a.Next(); !ok {
			t.Fatal("schedule ended early")
		}
	}
	// 200 arrivals in the ramp, 200 in the flat second.
	if got := a.Remaining(); got != 350 {
		t.Fatalf("remaining %d, want 350", got)
	}
}
