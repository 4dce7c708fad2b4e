package report

import (
	"fmt"
	"html/template"
	"slices"
	"strings"

	"github.com/peakshop/peakshop/internal/loadgen"
)

// Assets returns uPlot's script and stylesheet and the script that draws
// the load charts (with the bands of a rehearsal, when its page defines
// them), embedded once in this package, so other reports (the
// rehearsal's) draw the same charts without a second copy in the tree.
func Assets() (template.JS, template.CSS, template.JS) {
	// Our own embedded files, not user input.
	return template.JS(uplotJS), template.CSS(uplotCSS), template.JS(chartsJS)
}

// Funcs are the template helpers the reports share.
func Funcs() template.FuncMap {
	return template.FuncMap{
		"pct": func(x float64) string { return fmt.Sprintf("%.2f%%", x*100) },
		"f1":  func(x float64) string { return fmt.Sprintf("%.1f", x) },
	}
}

// StepRow is one journey step's line in a report's latency table.
type StepRow struct {
	Name string
	loadgen.StepResult
}

// StepRows lists steps by name, with the "all" line last.
func StepRows(steps map[string]loadgen.StepResult) []StepRow {
	rows := make([]StepRow, 0, len(steps))
	for name, s := range steps {
		rows = append(rows, StepRow{Name: name, StepResult: s})
	}
	slices.SortFunc(rows, func(a, b StepRow) int {
		if (a.Name == "all") != (b.Name == "all") {
			if a.Name == "all" {
				return 1
			}
			return -1
		}
		return strings.Compare(a.Name, b.Name)
	})
	return rows
}
