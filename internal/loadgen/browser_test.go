package loadgen_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

const chromiumPath = "/usr/bin/chromium"

// openReport loads the HTML report from file:// in headless Chromium (no
// network needed: everything is inline), checks that the three charts drew,
// and saves a screenshot (PEAKSHOP_SCREENSHOT_DIR chooses where).
func openReport(t *testing.T, path string) {
	t.Helper()
	if _, err := os.Stat(chromiumPath); err != nil {
		t.Log("no " + chromiumPath + ": the report is not checked in a browser")
		return
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromiumPath), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.NoFirstRun, chromedp.NoDefaultBrowserCheck, chromedp.UserDataDir(t.TempDir()),
		chromedp.Flag("disable-quic", true), chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true), chromedp.Flag("disable-sync", true),
		chromedp.WindowSize(1300, 1800),
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancelAlloc()
	ctx, cancel := chromedp.NewContext(actx)
	defer cancel()
	// The first action starts the browser and runs without a deadline, as
	// chromedp asks; the rest are bounded.
	if err := chromedp.Do(ctx, chromedp.Navigate("file://"+path)); err != nil {
		t.Fatalf("open the report: %v", err)
	}
	tctx, cancelT := context.WithTimeout(ctx, 30*time.Second)
	defer cancelT()
	if err := chromedp.Do(tctx, chromedp.WaitVisible(`#chart-orders .uplot`)); err != nil {
		t.Fatalf("charts did not draw: %v", err)
	}
	n, err := chromedp.Run(tctx, chromedp.Evaluate[int](`document.querySelectorAll(".uplot canvas").length`))
	if err != nil || n != 3 {
		t.Fatalf("%d charts drew (%v), want 3", n, err)
	}
	png, err := chromedp.Run(tctx, chromedp.FullScreenshot(100)) // 100 means PNG
	if err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	dir := os.Getenv("PEAKSHOP_SCREENSHOT_DIR")
	if dir == "" {
		dir = t.TempDir()
	}
	out := filepath.Join(dir, "load-report.png")
	if err := os.WriteFile(out, png, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot of the report: %s", out)
}
