// Package report renders a rehearsal's Result as one self-contained HTML
// page: the load charts with the fault windows and the alarms drawn as
// bands on the same time axis, the timeline of everything that happened,
// the SLO verdicts, the audit, the scaling record and the cost estimate.
// uPlot and the chart script come from internal/loadgen/report (one
// embedded copy in the tree);
// the data is inlined, so the page opens from a file or a CI artifact.
package report

import (
	_ "embed"
	"fmt"
	"html/template"
	"io"
	"math"
	"slices"
	"time"

	loadreport "github.com/peakshop/peakshop/internal/loadgen/report"
	"github.com/peakshop/peakshop/internal/rehearse"
)

//go:embed page.html.tmpl
var pageTmpl string

// band is a span on the time axis, in seconds from the load's start.
type band struct {
	Kind  string  `json:"kind"` // "fault" or "alarm"
	Label string  `json:"label"`
	From  float64 `json:"from"`
	To    float64 `json:"to"`
}

// moment is one line of the timeline.
type moment struct {
	T    float64
	What string
	Kind string // fault, skipped, alarm, scaling, probe, load
}

type view struct {
	R        *rehearse.Result
	Bands    []band
	Timeline []moment
	Steps    []loadreport.StepRow
	SLOMet   bool
	UPlotJS  template.JS
	UPlotCSS template.CSS
	ChartsJS template.JS
}

// Write renders res as HTML to w.
func Write(w io.Writer, res *rehearse.Result) error {
	funcs := loadreport.Funcs()
	funcs["f4"] = func(x float64) string { return fmt.Sprintf("%.4f", x) }
	funcs["clock"] = func(t time.Time) string { return t.Local().Format(time.TimeOnly) }
	t, err := template.New("report").Funcs(funcs).Parse(pageTmpl)
	if err != nil {
		return fmt.Errorf("rehearsal report template: %w", err)
	}
	v := view{R: res, SLOMet: true}
	v.UPlotJS, v.UPlotCSS, v.ChartsJS = loadreport.Assets()
	var zero time.Time
	if res.Load != nil {
		zero = res.Load.Started
		v.Steps = loadreport.StepRows(res.Load.Steps)
	}
	// Moments a hair before the load's start (the steady-state check) show
	// as 0, not -0.
	at := func(t time.Time) float64 { return math.Round(t.Sub(zero).Seconds()*10) / 10 }
	for _, f := range res.Faults {
		v.Bands = append(v.Bands, band{Kind: "fault", Label: f.Fault + " " + f.Target, From: at(f.Start), To: at(f.End)})
	}
	if fs := res.FlashSale; fs != nil {
		v.Bands = append(v.Bands, band{Kind: "sale", Label: fmt.Sprintf("flash sale +%.0f/s", fs.Rate),
			From: fs.At.D().Seconds(), To: (fs.At.D() + fs.Hold.D()).Seconds()})
	}
	for _, a := range res.Firing {
		v.Bands = append(v.Bands, band{Kind: "alarm", Label: "alarm " + a.Name, From: at(a.Start), To: at(a.End)})
	}
	for _, e := range res.Chaos.Events {
		kind := "fault"
		if e.Fault == "probe" || e.Phase == "probe_fail" || e.Phase == "probe_ok" || e.Phase == "steady_state" {
			kind = "probe"
		}
		v.Timeline = append(v.Timeline, moment{T: at(e.At), Kind: kind, What: fmt.Sprintf("%s %s %s %s", e.Phase, e.Fault, e.Target, e.Detail)})
	}
	// A skipped fault keeps its planned place on the axis: the chaos run
	// and the load start together, so its offset is the load's too.
	for _, sk := range res.Skipped {
		v.Timeline = append(v.Timeline, moment{T: sk.Start.D().Seconds(), Kind: "skipped",
			What: fmt.Sprintf("skipped %s %s (planned for %s): %s", sk.Fault, sk.Target, sk.Duration.D(), sk.Reason)})
	}
	for _, a := range res.Alarms {
		v.Timeline = append(v.Timeline, moment{T: at(a.At), Kind: "alarm", What: fmt.Sprintf("alarm %s → %s %s", a.Name, a.State, a.Reason)})
	}
	for _, s := range res.Scaling {
		v.Timeline = append(v.Timeline, moment{T: at(s.At), Kind: "scaling", What: s.Decision})
	}
	if res.Load != nil {
		v.Timeline = append(v.Timeline, moment{T: 0, Kind: "load", What: "load starts"},
			moment{T: res.Load.Seconds, Kind: "load", What: "load ends (" + res.Load.StoppedBy + ")"})
	}
	slices.SortStableFunc(v.Timeline, func(a, b moment) int {
		switch {
		case a.T < b.T:
			return -1
		case a.T > b.T:
			return 1
		}
		return 0
	})
	for _, s := range res.Verdicts {
		v.SLOMet = v.SLOMet && s.Met
	}
	if err := t.Execute(w, v); err != nil {
		return fmt.Errorf("render rehearsal report: %w", err)
	}
	return nil
}
