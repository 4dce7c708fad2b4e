package loadgen

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"time"
)

// maxReplayMinutes bounds a replay curve: a week of minutes is more than any
// rehearsal needs and keeps a malformed file from eating memory.
const maxReplayMinutes = 7 * 24 * 60

// Replay plays back a recorded traffic curve: Counts[i] arrivals during the
// i-th minute of the recording. Minute is how long one recorded minute lasts
// in the run (shorter than a minute compresses a day into a rehearsal), and
// Scale multiplies every count.
type Replay struct {
	Counts []float64
	Minute time.Duration
	Scale  float64
}

// Rate implements Profile. Past the end of the curve the rate is zero.
func (r Replay) Rate(t time.Duration) float64 {
	if r.Minute <= 0 || len(r.Counts) == 0 {
		return 0
	}
	i := int(t / r.Minute)
	if i < 0 || i >= len(r.Counts) {
		return 0
	}
	return r.Counts[i] * r.Scale / r.Minute.Seconds()
}

// Peak is the highest per-minute count of the curve.
func (r Replay) Peak() float64 {
	var p float64
	for _, c := range r.Counts {
		p = max(p, c)
	}
	return p
}

// ParseReplayCSV reads a per-minute curve: one row per minute, in order, as
// "minute,count" where minute is 0, 1, 2, ... (gaps are zero traffic) and
// count the arrivals that minute. A header row is allowed; a third or later
// column is ignored, so an export with more columns can be used as is.
func ParseReplayCSV(rd io.Reader) ([]float64, error) {
	cr := csv.NewReader(rd)
	cr.FieldsPerRecord = -1
	cr.TrimLeadingSpace = true
	cr.ReuseRecord = true
	var counts []float64
	for line := 1; ; line++ {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("replay csv: %w", err)
		}
		if len(rec) < 2 {
			return nil, fmt.Errorf("replay csv line %d: want minute,count", line)
		}
		m, merr := strconv.Atoi(strings.TrimSpace(rec[0]))
		if merr != nil && line == 1 {
			continue // header
		}
		if merr != nil {
			return nil, fmt.Errorf("replay csv line %d: minute %q: %w", line, rec[0], merr)
		}
		c, err := strconv.ParseFloat(strings.TrimSpace(rec[1]), 64)
		if err != nil {
			return nil, fmt.Errorf("replay csv line %d: count %q: %w", line, rec[1], err)
		}
		switch {
		case m < len(counts):
			return nil, fmt.Errorf("replay csv line %d: minute %d out of order", line, m)
		case m >= maxReplayMinutes:
			return nil, fmt.Errorf("replay csv line %d: minute %d beyond the %d-minute limit", line, m, maxReplayMinutes)
		case c < 0 || math.IsNaN(c) || math.IsInf(c, 0) || c > 1e9:
			return nil, fmt.Errorf("replay csv line %d: count %v must be between 0 and 1e9", line, c)
		}
		for len(counts) < m {
			counts = append(counts, 0)
		}
		counts = append(counts, c)
	}
	if len(counts) == 0 {
		return nil, errors.New("replay csv: no rows")
	}
	return counts, nil
}
