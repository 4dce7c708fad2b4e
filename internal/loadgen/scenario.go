package loadgen

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"
)

// Limits every run is held to, whatever the scenario or flags say: a load
// tool that cannot stop by itself is a denial of service waiting to happen.
const (
	MaxDuration     = time.Hour
	MaxRequestsCap  = 100_000_000
	MaxShoppersCap  = 100_000
	maxScenarioSize = 1 << 20
)

// Scenario is what a run does: the traffic schedule, the shoppers' journeys
// and think times, the hostile share and the SLOs that judge the result. It
// is read from JSON (see default.json for a commented example in docs/load.md).
type Scenario struct {
	Name         string      `json:"name"`
	Profile      ProfileSpec `json:"profile"`
	Duration     Duration    `json:"duration"`
	MaxRequests  int64       `json:"max_requests"`
	MaxShoppers  int         `json:"max_shoppers"`
	Timeout      Duration    `json:"request_timeout"`
	GracefulStop Duration    `json:"graceful_stop"`
	Think        Think       `json:"think_time"`
	Journeys     []Journey   `json:"journeys"`
	DeclineShare float64     `json:"decline_share"`
	SearchTerms  []string    `json:"search_terms,omitempty"`
	Hostile      Hostile     `json:"hostile"`
	FlashSale    *FlashSale  `json:"flash_sale,omitempty"`
	SLO          SLO         `json:"slo"`
}

// Think is the pause between a shopper's steps, uniform in [Min, Max].
type Think struct {
	Min Duration `json:"min"`
	Max Duration `json:"max"`
}

// Journey is one kind of visit: steps in order (see Step kinds), chosen in
// proportion to Weight. Think, when set, overrides the scenario's.
type Journey struct {
	Name   string   `json:"name"`
	Weight float64  `json:"weight"`
	Steps  []string `json:"steps"`
	Think  *Think   `json:"think_time,omitempty"`
}

// Hostile is the share of sessions that attack instead of shop, and the mix
// of attacks among them (relative weights). Burst is how many requests one
// hostile session fires back to back.
type Hostile struct {
	Share              float64 `json:"share"`
	Scraper            float64 `json:"scraper"`
	CredentialStuffing float64 `json:"credential_stuffing"`
	Injection          float64 `json:"injection"`
	Burst              int     `json:"burst"`
}

// SLO is what the run must show. P99 maps a step name to its highest
// acceptable 99th percentile; MaxErrorRate is a share (0.01 is 1 %) of
// shopper requests; MinOrdersPerMinute is averaged over the run. Zero values
// are not checked.
type SLO struct {
	P99                map[string]Duration `json:"p99,omitempty"`
	MaxErrorRate       *float64            `json:"max_error_rate,omitempty"`
	MinOrdersPerMinute float64             `json:"min_orders_per_minute,omitempty"`
}

// ParseScenario reads a scenario strictly (unknown fields and trailing data
// are errors, so a typo cannot silently turn a check off), fills defaults
// and validates it.
func ParseScenario(rd io.Reader) (*Scenario, error) {
	b, err := io.ReadAll(io.LimitReader(rd, maxScenarioSize+1))
	if err != nil {
		return nil, fmt.Errorf("read scenario: %w", err)
	}
	if len(b) > maxScenarioSize {
		return nil, fmt.Errorf("scenario larger than %d bytes", maxScenarioSize)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var s Scenario
	if err := dec.Decode(&s); err != nil {
		return nil, fmt.Errorf("scenario: %w", err)
	}
	if dec.More() {
		return nil, errors.New("scenario: trailing data after the JSON object")
	}
	s.fillDefaults()
	if err := s.Validate(); err != nil {
		return nil, err
	}
	return &s, nil
}

func (s *Scenario) fillDefaults() {
	if s.Duration == 0 {
		s.Duration = Duration(2 * time.Minute)
	}
	if s.Timeout == 0 {
		s.Timeout = Duration(10 * time.Second)
	}
	if s.GracefulStop == 0 {
		s.GracefulStop = Duration(10 * time.Second)
	}
	if s.MaxShoppers == 0 {
		s.MaxShoppers = 10_000
	}
	if s.MaxRequests == 0 {
		s.MaxRequests = 10_000_000
	}
	if s.Hostile.Burst == 0 {
		s.Hostile.Burst = 20
	}
	if s.FlashSale != nil {
		s.FlashSale.fillDefaults()
	}
	if len(s.SearchTerms) == 0 {
		s.SearchTerms = []string{"denim", "jacket", "shoes", "lamp", "mug", "red", "cotton", "gift"}
	}
}
