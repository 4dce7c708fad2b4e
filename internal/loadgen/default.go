package loadgen

import (
	"bytes"
	_ "embed"
	"fmt"
)

//go:embed default.json
var defaultScenario []byte

// DefaultScenarioJSON is the embedded default scenario, as written by
// `peakshop load --print-scenario` for people to copy and edit.
func DefaultScenarioJSON() []byte { return bytes.Clone(defaultScenario) }

// DefaultScenario parses the embedded default; it is tested, so an error
// here means a broken build.
func DefaultScenario() (*Scenario, error) {
	s, err := ParseScenario(bytes.NewReader(defaultScenario))
	if err != nil {
		return nil, fmt.Errorf("default scenario: %w", err)
	}
	return s, nil
}
