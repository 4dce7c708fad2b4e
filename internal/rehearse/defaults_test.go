package rehearse

import (
	"testing"
	"time"

	"github.com/peakshop/peakshop/internal/chaos"
)

// The embedded rehearsal is what CI runs: it must parse, fit in two
// minutes and hold every fault issue #6 asks for.
func TestDefaultRehearsal(t *testing.T) {
	sc, err := DefaultScenario()
	if err != nil {
		t.Fatal(err)
	}
	exp, err := DefaultExperiment()
	if err != nil {
		t.Fatal(err)
	}
	if d := sc.Duration.D() + sc.GracefulStop.D(); d > 2*time.Minute || exp.End() > 2*time.Minute {
		t.Errorf("load %v (with its graceful stop) and faults to %v: over two minutes", d, exp.End())
	}
	if sc.FlashSale == nil || sc.Hostile.Share == 0 || sc.Profile.Kind != "ramp" {
		t.Errorf("scenario lacks the ramp, the flash sale or the bots: %+v", sc)
	}
	want := map[string]bool{"payment ": false, "kill worker": false, "cut app-nats": false, "cut worker-nats": false,
		"latency app-db": false, "latency worker-db": false}
	for _, f := range exp.Faults {
		key := f.Kind + " " + f.Target
		switch {
		case f.Kind == chaos.KindPayment && f.Rate == 0.2 && f.Latency > 0:
			want["payment "] = true
		case f.Kind == chaos.KindCut && f.Duration.D() == 10*time.Second:
			want[key] = true
		case f.Kind == chaos.KindKill && f.Duration > 0: // restarted
			want[key] = true
		case f.Kind == chaos.KindLatency && f.Duration.D() <= 10*time.Second && f.Start+f.Duration <= chaos.Duration(sc.Duration):
			want[key] = true // short, and over before the load ends
		}
	}
	for k, ok := range want {
		if !ok {
			t.Errorf("the default experiment lacks %q", k)
		}
	}
	if f := sc.FlashSale; f.At.D() >= sc.Duration.D() {
		t.Errorf("flash sale at %v after the load ends", f.At.D())
	}
}

func TestWindowsPairInjectAndUndo(t *testing.T) {
	t0 := time.Now()
	ev := []chaos.Event{
		{At: t0, Fault: "cut", Target: "app-nats", Phase: chaos.PhaseInject},
		{At: t0, Fault: "cut", Target: "worker-nats", Phase: chaos.PhaseInject},
		{At: t0.Add(time.Second), Fault: "probe", Target: "ready", Phase: chaos.PhaseProbeFail},
		{At: t0.Add(10 * time.Second), Fault: "cut", Target: "app-nats", Phase: chaos.PhaseUndo},
	}
	w := Windows(ev, t0.Add(time.Minute))
	if len(w) != 2 || w[0].End != t0.Add(10*time.Second) || w[1].End != t0.Add(time.Minute) {
		t.Fatalf("windows = %+v", w)
	}
}
