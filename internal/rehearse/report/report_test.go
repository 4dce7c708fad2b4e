package report

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/peakshop/peakshop/internal/chaos"
	"github.com/peakshop/peakshop/internal/loadgen"
	"github.com/peakshop/peakshop/internal/platform/headless"
	"github.com/peakshop/peakshop/internal/rehearse"
)

// sample is a small rehearsal: 60 s of load, two faults, one alarm, a
// failed audit check with a problem and an unexplained dead letter.
func sample() *rehearse.Result {
	t0 := time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)
	at := func(s int) time.Time { return t0.Add(time.Duration(s) * time.Second) }
	lr := &loadgen.Result{Scenario: "rehearsal", Started: t0, Seconds: 60, StoppedBy: "duration", Requests: 6000,
		Steps: map[string]loadgen.StepResult{"all": {Count: 6000, P99: 120}, "checkout": {Count: 300, P99: 400}},
		SLO:   []loadgen.Verdict{{Name: "p99 checkout", Objective: "<= 3s", Actual: "400ms", Met: true}}}
	for i := 1; i <= 60; i++ {
		lr.Timeline = append(lr.Timeline, loadgen.Point{T: float64(i), Requests: int64(50 + i), Errors: int64(i % 7), Orders: 3, P50: 20, P99: 90})
	}
	events := []chaos.Event{
		{At: at(10), Fault: "payment", Target: "payment-simulator", Phase: chaos.PhaseInject},
		{At: at(30), Fault: "payment", Target: "payment-simulator", Phase: chaos.PhaseUndo},
		{At: at(40), Fault: "cut", Target: "worker-nats", Phase: chaos.PhaseInject},
		{At: at(50), Fault: "cut", Target: "worker-nats", Phase: chaos.PhaseUndo},
	}
	return &rehearse.Result{Target: "http://127.0.0.1:1", SelfStarted: true, Database: "sqlite", Started: t0, Seconds: 80,
		Load: lr, Chaos: chaos.Result{Events: events}, Faults: rehearse.Windows(events, at(60)),
		Skipped: []rehearse.SkippedFault{{Fault: "latency", Target: "app-db", Start: chaos.Duration(45 * time.Second),
			Duration: chaos.Duration(5 * time.Second), Reason: "embedded SQLite"}},
		FlashSale: &loadgen.FlashSale{At: loadgen.Duration(20 * time.Second), Hold: loadgen.Duration(10 * time.Second), Rate: 30},
		Firing:    []rehearse.AlarmWindow{{Name: "http-5xx-rate", Start: at(15), End: at(35), Reason: "3 of 3 periods > 0.02"}},
		Scaling:   []rehearse.ScalingRecord{{At: t0, Decision: "fixed fleet: 1 app, 1 worker"}},
		Cost:      rehearse.Estimate(rehearse.Prices{"instance-hour": 0.1}, []rehearse.Fleet{{Role: "app", Instances: 1}}, time.Minute),
		Audit: rehearse.Audit{Checks: []rehearse.Check{
			{Name: "no dead letter left unexplained", Summary: "1 dead letter", Problems: []string{"dead letter 3: email gave up <script>"}},
		}, DeadLetters: []rehearse.DeadLetterCheck{{Seq: 3, Consumer: "email", EventID: "ev-1", FailedAt: at(58)}}},
		Verdicts: lr.SLO,
	}
}

func TestWriteIsSelfContainedAndEscaped(t *testing.T) {
	var b bytes.Buffer
	if err := Write(&b, sample()); err != nil {
		t.Fatal(err)
	}
	page := b.String()
	for _, want := range []string{"FAILED", "payment payment-simulator", "cut worker-nats", "http-5xx-rate", "fixed fleet: 1 app, 1 worker",
		"nothing: unexplained", "&lt;script&gt;", "uPlot",
		`<td>45.0</td><td class="l k-skipped">skipped latency app-db (planned for 5s): embedded SQLite</td>`} {
		if !strings.Contains(page, want) {
			t.Errorf("report lacks %q", want)
		}
	}
	if strings.Contains(page, "<script>\"") || strings.Contains(page, "gave up <script>") {
		t.Error("a problem's text reached the page unescaped")
	}
	for _, bad := range []string{"http://", "https://"} {
		for _, line := range strings.Split(page, "\n") {
			if strings.Contains(line, "src=\""+bad) || strings.Contains(line, "href=\""+bad) {
				t.Errorf("the page fetches from the network: %s", line)
			}
		}
	}
}

// The page opens from file:// in headless Chromium, draws its three charts
// and a legend entry per band (two faults, the flash sale, one alarm).
func TestReportDrawsInBrowser(t *testing.T) {
	path := filepath.Join(t.TempDir(), "report.html")
	var b bytes.Buffer
	if err := Write(&b, sample()); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	tctx := headless.Open(t, "file://"+path, 1300, 2400, 30*time.Second)
	if err := chromedp.Do(tctx, chromedp.WaitVisible(`#chart-orders .uplot`)); err != nil {
		t.Fatalf("charts did not draw: %v", err)
	}
	canvases, err := chromedp.Run(tctx, chromedp.Evaluate[int](`document.querySelectorAll(".uplot canvas").length`))
	if err != nil {
		t.Fatal(err)
	}
	legend, err := chromedp.Run(tctx, chromedp.Evaluate[int](`document.querySelectorAll("#bands-legend .band").length`))
	if err != nil {
		t.Fatal(err)
	}
	if canvases != 3 || legend != 4 {
		t.Fatalf("%d charts and %d bands drew, want 3 and 4", canvases, legend)
	}
	headless.Screenshot(t, tctx, "rehearse-report.png")
}
