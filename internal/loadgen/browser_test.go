package loadgen_test

import (
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/peakshop/peakshop/internal/platform/headless"
)

// openReport loads the HTML report from file:// in headless Chromium (no
// network needed: everything is inline), checks that the three charts drew,
// and saves a screenshot (PEAKSHOP_SCREENSHOT_DIR chooses where). Without
// Chromium it only says so: the rest of the calling test still counts.
func openReport(t *testing.T, path string) {
	t.Helper()
	if !headless.Available() {
		t.Log("no " + headless.Path + ": the report is not checked in a browser")
		return
	}
	ctx := headless.Open(t, "file://"+path, 1300, 1800, 30*time.Second)
	if err := chromedp.Do(ctx, chromedp.WaitVisible(`#chart-orders .uplot`)); err != nil {
		t.Fatalf("charts did not draw: %v", err)
	}
	n, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll(".uplot canvas").length`))
	if err != nil || n != 3 {
		t.Fatalf("%d charts drew (%v), want 3", n, err)
	}
	headless.Screenshot(t, ctx, "load-report.png")
}
