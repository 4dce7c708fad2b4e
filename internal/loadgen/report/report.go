// Package report renders a load run's Result as one self-contained HTML
// file: uPlot, its stylesheet and the data are inlined, so the page opens
// from disk, from a CI artifact or an e-mail attachment, with nothing
// fetched from the network.
//
// It is a separate package from loadgen so the chaos and rehearsal reports
// can embed the same charts next to their own timelines.
package report

import (
	_ "embed"
	"fmt"
	"html/template"
	"io"

	"github.com/peakshop/peakshop/internal/loadgen"
)

var (
	//go:embed static/uPlot.iife.min.js
	uplotJS string
	//go:embed static/uPlot.min.css
	uplotCSS string
	//go:embed page.html.tmpl
	pageTmpl string
	//go:embed charts.js
	chartsJS string
)

// view is what the template reads.
type view struct {
	R        *loadgen.Result
	Steps    []StepRow
	Passed   bool
	UPlotJS  template.JS
	UPlotCSS template.CSS
	ChartsJS template.JS
}

// Write renders res as HTML to w.
func Write(w io.Writer, res *loadgen.Result) error {
	t, err := template.New("report").Funcs(Funcs()).Parse(pageTmpl)
	if err != nil {
		return fmt.Errorf("report template: %w", err)
	}
	v := view{R: res, Passed: true, Steps: StepRows(res.Steps)}
	v.UPlotJS, v.UPlotCSS, v.ChartsJS = Assets()
	for _, s := range res.SLO {
		v.Passed = v.Passed && s.Met
	}
	if err := t.Execute(w, v); err != nil {
		return fmt.Errorf("render report: %w", err)
	}
	return nil
}
