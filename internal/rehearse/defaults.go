package rehearse

import (
	"bytes"
	_ "embed"
	"fmt"

	"github.com/peakshop/peakshop/internal/chaos"
	"github.com/peakshop/peakshop/internal/loadgen"
)

// The default rehearsal, under two minutes: traffic ramps from 5 to 25
// sessions a second over 30 s and holds; a flash sale adds 25 a second on
// three hot products from 40 s to 55 s; 3 % of sessions are bots. Faults:
// payments 300 ms slower with 20 % failing from 10 s to 35 s, the worker
// killed at 55 s and restarted 10 s later, NATS cut for both processes
// from 70 s to 80 s. Both files are printed by --print-scenario and
// --print-experiment for people to copy and edit.
var (
	//go:embed defaults/scenario.json
	defaultScenario []byte
	//go:embed defaults/experiment.json
	defaultExperiment []byte
)

// DefaultScenarioJSON is the embedded scenario.
func DefaultScenarioJSON() []byte { return bytes.Clone(defaultScenario) }

// DefaultExperimentJSON is the embedded experiment.
func DefaultExperimentJSON() []byte { return bytes.Clone(defaultExperiment) }

// DefaultScenario parses the embedded scenario; it is tested, so an error
// means a broken build.
func DefaultScenario() (*loadgen.Scenario, error) {
	s, err := loadgen.ParseScenario(bytes.NewReader(defaultScenario))
	if err != nil {
		return nil, fmt.Errorf("default rehearsal scenario: %w", err)
	}
	return s, nil
}

// DefaultExperiment parses the embedded experiment.
func DefaultExperiment() (chaos.Experiment, error) {
	e, err := chaos.ParseExperiment(defaultExperiment)
	if err != nil {
		return chaos.Experiment{}, fmt.Errorf("default rehearsal experiment: %w", err)
	}
	return e, nil
}
