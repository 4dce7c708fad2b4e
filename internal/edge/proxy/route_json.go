package proxy

import (
	"bytes"
	"encoding/json"
	"fmt"
	"time"
)

// routeWire is Route on the admin API (GET and PUT /routes): the timeout
// is written as a Go duration ("8s"), as the routing file writes it, not as
// nanoseconds. A number is still read, as nanoseconds, for clients that
// copied an older answer.
type routeWire struct {
	Name    string
	Match   Match
	Splits  []Split
	Timeout any `json:",omitempty"`
}

// MarshalJSON writes Timeout as a duration string.
func (r Route) MarshalJSON() ([]byte, error) {
	w := routeWire{Name: r.Name, Match: r.Match, Splits: r.Splits}
	if r.Timeout != 0 {
		w.Timeout = r.Timeout.String()
	}
	return json.Marshal(w)
}

// UnmarshalJSON reads Timeout as a duration string or as nanoseconds.
func (r *Route) UnmarshalJSON(b []byte) error {
	var w struct {
		Name    string
		Match   Match
		Splits  []Split
		Timeout json.RawMessage
	}
	// A misspelt field is refused, as the admin API refuses any unknown
	// field (a custom UnmarshalJSON would otherwise drop that check).
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&w); err != nil {
		return err
	}
	*r = Route{Name: w.Name, Match: w.Match, Splits: w.Splits}
	if len(w.Timeout) == 0 || string(w.Timeout) == "null" {
		return nil
	}
	var s string
	if err := json.Unmarshal(w.Timeout, &s); err == nil {
		d, err := time.ParseDuration(s)
		if err != nil {
			return fmt.Errorf("route %q: timeout: %w", w.Name, err)
		}
		r.Timeout = d
		return nil
	}
	var ns int64
	if err := json.Unmarshal(w.Timeout, &ns); err != nil {
		return fmt.Errorf("route %q: timeout: want a duration such as \"8s\"", w.Name)
	}
	r.Timeout = time.Duration(ns)
	return nil
}
