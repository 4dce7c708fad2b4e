package loadgen

import (
	"math"
	"time"
)

// Profile gives the arrival rate (sessions per second) at an offset from the
// start of a run. Profiles are pure functions of time, so a schedule is the
// same whatever the target does: that is what makes the model open.
type Profile interface {
	Rate(t time.Duration) float64
}

// Constant arrives at a fixed rate.
type Constant struct{ PerSec float64 }

// Rate implements Profile.
func (c Constant) Rate(time.Duration) float64 { return c.PerSec }

// Ramp goes linearly from From to To over Over, then holds To.
type Ramp struct {
	From, To float64
	Over     time.Duration
}

// Rate implements Profile.
func (r Ramp) Rate(t time.Duration) float64 {
	if r.Over <= 0 || t >= r.Over {
		return r.To
	}
	return r.From + (r.To-r.From)*float64(t)/float64(r.Over)
}

// Stairs climbs from From to To in Steps equal stairs, each lasting Every: the
// classic "find the knee" profile.
type Stairs struct {
	From, To float64
	Steps    int
	Every    time.Duration
}

// Rate implements Profile.
func (s Stairs) Rate(t time.Duration) float64 {
	if s.Steps <= 1 || s.Every <= 0 {
		return s.To
	}
	i := int(t / s.Every)
	if i >= s.Steps {
		i = s.Steps - 1
	}
	return s.From + (s.To-s.From)*float64(i)/float64(s.Steps-1)
}

// Spike is a flash sale: Base traffic, and from At for Hold the rate jumps
// to Base*Factor (no warm-up: sales open on the second).
type Spike struct {
	Base   float64
	Factor float64
	At     time.Duration
	Hold   time.Duration
}

// Rate implements Profile.
func (s Spike) Rate(t time.Duration) float64 {
	if t >= s.At && t < s.At+s.Hold {
		return s.Base * s.Factor
	}
	return s.Base
}

// Daily is a day of traffic compressed into Day: a trough at night (Low) and
// a peak in the evening (Peak), shaped as a raised cosine with the trough at
// 04:00 and the peak at 20:00 of the compressed day.
type Daily struct {
	Low, Peak float64
	Day       time.Duration
}

// Rate implements Profile.
func (d Daily) Rate(t time.Duration) float64 {
	if d.Day <= 0 {
		return d.Peak
	}
	hour := math.Mod(24*float64(t)/float64(d.Day), 24)
	// Two half-cosines so the trough (04:00) and peak (20:00) are not 12 h apart.
	var x float64 // 0 at the trough, 1 at the peak
	if hour >= 4 && hour < 20 {
		x = (1 - math.Cos(math.Pi*(hour-4)/16)) / 2
	} else {
		h := hour - 20
		if h < 0 {
			h += 24
		}
		x = (1 + math.Cos(math.Pi*h/8)) / 2
	}
	return d.Low + (d.Peak-d.Low)*x
}
