package rehearse

import (
	"time"

	"github.com/peakshop/peakshop/internal/chaos"
	"github.com/peakshop/peakshop/internal/loadgen"
)

// shortSpan is the length under which a fault or a flash sale keeps its
// length when a rehearsal is stretched: the issue asks for a 10-second NATS
// cut and a worker down for seconds, and a sale is a burst; a 67-second cut
// in a 10-minute run would be a different experiment, not a longer one.
const shortSpan = 20 * time.Second

// stretcher scales a schedule written for a load of one length to another.
type stretcher float64

func newStretcher(from, to time.Duration) (stretcher, bool) {
	if from <= 0 || to <= 0 || from == to {
		return 1, false
	}
	return stretcher(float64(to) / float64(from)), true
}

// at moves a point in time.
func (s stretcher) at(d time.Duration) time.Duration {
	return time.Duration(float64(d) * float64(s)).Round(time.Millisecond)
}

// span scales a length, except a short one in a longer run.
func (s stretcher) span(d time.Duration) time.Duration {
	if s > 1 && d < shortSpan {
		return d
	}
	return s.at(d)
}

// StretchExperiment fits an experiment written for a load of length from
// to a load of length to, so a longer rehearsal has its faults spread over
// its whole length as the default one has: every start and the run's
// duration scale by to/from, and so do the faults of 20 s or more (the
// payment fault); shorter ones keep their length in a longer run and
// shrink with the rest in a shorter one. Overlaps cannot appear: a span
// never grows faster than the starts around it.
func StretchExperiment(exp chaos.Experiment, from, to time.Duration) chaos.Experiment {
	s, ok := newStretcher(from, to)
	if !ok {
		return exp
	}
	out := exp
	out.Faults = make([]chaos.Fault, len(exp.Faults))
	for i, f := range exp.Faults {
		f.Start = chaos.Duration(s.at(f.Start.D()))
		f.Duration = chaos.Duration(s.span(f.Duration.D()))
		out.Faults[i] = f
	}
	out.Duration = chaos.Duration(s.at(exp.Duration.D()))
	return out
}

// StretchSale moves a flash sale the same way, so it keeps its place
// between the faults (the default keeps the payment fault and the sale
// apart). It returns a copy; nil stays nil.
func StretchSale(fs *loadgen.FlashSale, from, to time.Duration) *loadgen.FlashSale {
	s, ok := newStretcher(from, to)
	if fs == nil || !ok {
		return fs
	}
	out := *fs
	out.At = loadgen.Duration(s.at(fs.At.D()))
	out.Hold = loadgen.Duration(s.span(fs.Hold.D()))
	return &out
}
