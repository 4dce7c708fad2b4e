package rehearse

import (
	"testing"
	"time"

	"github.com/peakshop/peakshop/internal/chaos"
)

// A 10-minute rehearsal spreads the default faults over its 10 minutes as
// the 90-second one does; the 10-second kill and cuts stay 10 seconds, the
// payment fault grows with the run, and a short run shrinks everything.
func TestStretchDefaultExperiment(t *testing.T) {
	exp, err := DefaultExperiment()
	if err != nil {
		t.Fatal(err)
	}
	sc, err := DefaultScenario()
	if err != nil {
		t.Fatal(err)
	}
	base := sc.Duration.D()
	type span struct{ start, dur time.Duration }
	find := func(e chaos.Experiment, kind, target string) span {
		t.Helper()
		for _, f := range e.Faults {
			if f.Kind == kind && f.Target == target {
				return span{f.Start.D(), f.Duration.D()}
			}
		}
		t.Fatalf("no %s %s in %+v", kind, target, e.Faults)
		return span{}
	}
	s := time.Second
	tests := []struct {
		load               time.Duration
		payment, kill, cut span
		end                time.Duration
	}{
		{base, span{10 * s, 25 * s}, span{55 * s, 10 * s}, span{70 * s, 10 * s}, 90 * s},
		{10 * time.Minute, span{66667 * time.Millisecond, 166667 * time.Millisecond}, span{366667 * time.Millisecond, 10 * s}, span{466667 * time.Millisecond, 10 * s}, 10 * time.Minute},
		{15 * s, span{1667 * time.Millisecond, 4167 * time.Millisecond}, span{9167 * time.Millisecond, 1667 * time.Millisecond}, span{11667 * time.Millisecond, 1667 * time.Millisecond}, 15 * s},
	}
	for _, tc := range tests {
		t.Run(tc.load.String(), func(t *testing.T) {
			got := StretchExperiment(exp, base, tc.load)
			if err := got.Validate(); err != nil {
				t.Fatalf("stretched experiment invalid: %v", err)
			}
			if p := find(got, chaos.KindPayment, ""); p != tc.payment {
				t.Errorf("payment %v, want %v", p, tc.payment)
			}
			if k := find(got, chaos.KindKill, "worker"); k != tc.kill {
				t.Errorf("kill %v, want %v", k, tc.kill)
			}
			for _, link := range []string{"app-nats", "worker-nats"} {
				if c := find(got, chaos.KindCut, link); c != tc.cut {
					t.Errorf("cut %s %v, want %v", link, c, tc.cut)
				}
			}
			if got.Duration.D() != tc.end || got.End() > tc.end+10*s {
				t.Errorf("run %v (faults to %v), want %v", got.Duration.D(), got.End(), tc.end)
			}
			// Every fault still starts within the load.
			for _, f := range got.Faults {
				if f.Start.D() >= tc.load {
					t.Errorf("%s starts at %v, after the load's %v", f, f.Start.D(), tc.load)
				}
			}
		})
	}
	if exp.Faults[0].Start.D() != 10*s {
		t.Error("StretchExperiment changed its input")
	}
}

func TestStretchSaleKeepsItsPlace(t *testing.T) {
	sc, err := DefaultScenario()
	if err != nil {
		t.Fatal(err)
	}
	base := sc.Duration.D()
	long := StretchSale(sc.FlashSale, base, 10*time.Minute)
	if long.At.D() != 4*time.Minute+26667*time.Millisecond || long.Hold != sc.FlashSale.Hold {
		t.Errorf("10m: sale at %v for %v", long.At.D(), long.Hold.D())
	}
	short := StretchSale(sc.FlashSale, base, 45*time.Second)
	if short.At.D() != 20*time.Second || short.Hold.D() != 7500*time.Millisecond {
		t.Errorf("45s: sale at %v for %v", short.At.D(), short.Hold.D())
	}
	if sc.FlashSale.At.D() != 40*time.Second || StretchSale(nil, base, time.Minute) != nil {
		t.Error("StretchSale changed its input or made a sale of nothing")
	}
}
