package rehearse

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/peakshop/peakshop/internal/telemetry/alarm"
)

// AlarmChange is an alarm entering a state, as seen by polling the shop.
type AlarmChange struct {
	At       time.Time `json:"at"`
	Name     string    `json:"name"`
	State    string    `json:"state"`
	Severity string    `json:"severity,omitempty"`
	Reason   string    `json:"reason,omitempty"`
}

// AlarmWindow is a span an alarm spent in ALARM.
type AlarmWindow struct {
	Name     string    `json:"name"`
	Severity string    `json:"severity,omitempty"`
	Start    time.Time `json:"start"`
	End      time.Time `json:"end"`
	Reason   string    `json:"reason,omitempty"`
}

// alarmPoller asks the shop's admin endpoint for alarm states every period
// (as `peakshop alarms` does) and keeps the changes. The shop evaluates its
// rules on its own clock; polling every couple of seconds puts a change on
// the report's axis within that much of when the shop decided it.
type alarmPoller struct {
	base, token string
	every       time.Duration
	client      *http.Client

	mu      sync.Mutex
	last    map[string]string
	changes []AlarmChange
	errors  int
	lastErr string
}

func newAlarmPoller(base, token string, every time.Duration) *alarmPoller {
	return &alarmPoller{base: strings.TrimRight(base, "/"), token: token, every: every,
		client: &http.Client{Timeout: 5 * time.Second}, last: map[string]string{}}
}

// run polls until ctx ends, then once more so the final states are known.
func (p *alarmPoller) run(ctx context.Context) {
	t := time.NewTicker(p.every)
	defer t.Stop()
	for {
		p.poll(ctx)
		select {
		case <-ctx.Done():
			p.poll(context.WithoutCancel(ctx))
			return
		case <-t.C:
		}
	}
}

func (p *alarmPoller) poll(ctx context.Context) {
	st, err := p.fetch(ctx)
	now := time.Now()
	p.mu.Lock()
	defer p.mu.Unlock()
	if err != nil {
		p.errors++
		p.lastErr = err.Error()
		return
	}
	for _, s := range st {
		prev, seen := p.last[s.Name]
		if prev == string(s.State) {
			continue
		}
		if !seen && s.State != alarm.Alarm {
			// The first look is the starting point, not a change; only
			// an alarm already firing is worth a line.
			p.last[s.Name] = string(s.State)
			continue
		}
		at := now
		if !s.Since.IsZero() && s.Since.Before(now) && s.Since.After(now.Add(-p.every-time.Second)) {
			at = s.Since // the shop's own time of the change, when it is fresh
		}
		p.last[s.Name] = string(s.State)
		p.changes = append(p.changes, AlarmChange{At: at, Name: s.Name, State: string(s.State), Severity: s.Severity, Reason: s.Reason})
	}
}

func (p *alarmPoller) fetch(ctx context.Context) ([]alarm.Status, error) {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, p.base+"/console/api/alarms", nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+p.token)
	res, err := p.client.Do(req)
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("alarms: status %d", res.StatusCode)
	}
	var body struct{ Alarms []alarm.Status }
	if err := json.NewDecoder(io.LimitReader(res.Body, 4<<20)).Decode(&body); err != nil {
		return nil, fmt.Errorf("alarms: %w", err)
	}
	return body.Alarms, nil
}

// result returns the changes and the spans in ALARM (an alarm still firing
// at the end lasts until end).
func (p *alarmPoller) result(end time.Time) (changes []AlarmChange, windows []AlarmWindow, pollErrors int, lastErr string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	open := map[string]int{}
	for _, c := range p.changes {
		if i, ok := open[c.Name]; ok && c.State != string(alarm.Alarm) {
			windows[i].End = c.At
			delete(open, c.Name)
		}
		if _, ok := open[c.Name]; !ok && c.State == string(alarm.Alarm) {
			open[c.Name] = len(windows)
			windows = append(windows, AlarmWindow{Name: c.Name, Severity: c.Severity, Start: c.At, Reason: c.Reason})
		}
	}
	for _, i := range open {
		windows[i].End = end
	}
	return append([]AlarmChange(nil), p.changes...), windows, p.errors, p.lastErr
}
