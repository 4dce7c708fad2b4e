package loadgen

import (
	"errors"
	"fmt"
	"time"
)

// Profile kinds a scenario (or --profile) may name.
const (
	ProfileConstant = "constant"
	ProfileRamp     = "ramp"
	ProfileStep     = "step"
	ProfileSpike    = "spike"
	ProfileDaily    = "daily"
	ProfileReplay   = "replay"
)

// ProfileSpec describes a schedule in a scenario. Rate is always the peak
// (sessions per second), so --rate means the same for every kind; StartRate
// is where a ramp or step begins, a spike's base and a day's trough.
type ProfileSpec struct {
	Kind      string   `json:"kind"`
	Rate      float64  `json:"rate"`
	StartRate float64  `json:"start_rate,omitempty"`
	Ramp      Duration `json:"ramp,omitempty"`       // ramp: time to reach Rate (default: the whole run)
	Steps     int      `json:"steps,omitempty"`      // step: number of stairs (default 5)
	SpikeAt   Duration `json:"spike_at,omitempty"`   // spike: when the sale opens (default: a third in)
	SpikeHold Duration `json:"spike_hold,omitempty"` // spike: how long it lasts (default: a sixth of the run)
	// ReplayFile is a per-minute CSV (see ParseReplayCSV), read by the command.
	ReplayFile string `json:"replay_file,omitempty"`
}

func (p ProfileSpec) validate() error {
	var errs []error
	switch p.Kind {
	case ProfileConstant, ProfileRamp, ProfileStep, ProfileSpike, ProfileDaily, ProfileReplay:
	default:
		errs = append(errs, fmt.Errorf("profile.kind %q: want constant, ramp, step, spike, daily or replay", p.Kind))
	}
	if !finite(p.Rate) || p.Rate <= 0 || p.Rate > 1e6 {
		errs = append(errs, fmt.Errorf("profile.rate %v must be above 0 and at most 1e6 per second", p.Rate))
	}
	if !finite(p.StartRate) || p.StartRate < 0 || p.StartRate > 1e6 {
		errs = append(errs, fmt.Errorf("profile.start_rate %v must be between 0 and 1e6", p.StartRate))
	}
	if p.Ramp < 0 || p.SpikeAt < 0 || p.SpikeHold < 0 {
		errs = append(errs, errors.New("profile: durations must not be negative"))
	}
	if p.Steps < 0 || p.Steps > 1000 {
		errs = append(errs, fmt.Errorf("profile.steps %d must be between 0 and 1000", p.Steps))
	}
	return errors.Join(errs...)
}

// Build turns the spec into a Profile for a run of the given duration;
// replay holds the per-minute counts for kind replay.
func (p ProfileSpec) Build(duration time.Duration, replay []float64) (Profile, error) {
	if err := p.validate(); err != nil {
		return nil, err
	}
	switch p.Kind {
	case ProfileConstant:
		return Constant{PerSec: p.Rate}, nil
	case ProfileRamp:
		over := p.Ramp.D()
		if over == 0 {
			over = duration
		}
		return Ramp{From: p.StartRate, To: p.Rate, Over: over}, nil
	case ProfileStep:
		n := p.Steps
		if n == 0 {
			n = 5
		}
		return Stairs{From: p.StartRate, To: p.Rate, Steps: n, Every: duration / time.Duration(n)}, nil
	case ProfileSpike:
		at, hold, base := p.SpikeAt.D(), p.SpikeHold.D(), p.StartRate
		if at == 0 {
			at = duration / 3
		}
		if hold == 0 {
			hold = duration / 6
		}
		if base == 0 {
			base = p.Rate / 10
		}
		return Spike{Base: base, Factor: p.Rate / base, At: at, Hold: hold}, nil
	case ProfileDaily:
		return Daily{Low: p.StartRate, Peak: p.Rate, Day: duration}, nil
	case ProfileReplay:
		return buildReplay(replay, p.Rate, duration)
	}
	return nil, fmt.Errorf("profile kind %q", p.Kind)
}

// buildReplay fits the curve into the run (a recorded minute lasts at most a
// minute, less when the curve is longer than the run) and scales it so its
// busiest minute arrives at rate per second.
func buildReplay(counts []float64, rate float64, duration time.Duration) (Profile, error) {
	if len(counts) == 0 {
		return nil, errors.New("profile replay: no curve (give --replay FILE or profile.replay_file)")
	}
	r := Replay{Counts: counts, Minute: min(time.Minute, duration/time.Duration(len(counts)))}
	if r.Minute <= 0 {
		return nil, fmt.Errorf("profile replay: %d minutes do not fit into %v", len(counts), duration)
	}
	peak := r.Peak()
	if peak == 0 {
		return nil, errors.New("profile replay: the curve has no traffic")
	}
	r.Scale = rate * r.Minute.Seconds() / peak
	return r, nil
}
