// Package headless starts Debian's Chromium for the tests that check a page
// in a real browser (storefront journeys, the console, the load and
// rehearsal reports), with the flags this machine needs: no sandbox as
// root, and no background networking, whose connections the closed
// network refuses at every start. Test code only; chromedp drives it.
package headless

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// Path is Debian's Chromium; scripts/install-chromium.sh installs it.
const Path = "/usr/bin/chromium"

// Available reports whether Chromium is installed.
func Available() bool {
	_, err := os.Stat(Path)
	return err == nil
}

// Open starts headless Chromium with a fresh profile and a window of the
// given size, opens url, and returns a browser context whose actions are
// bounded by timeout. The first navigation starts the browser and runs
// without a deadline, as chromedp asks. The browser goes when the test
// ends. The test is skipped when Chromium is not installed.
func Open(t testing.TB, url string, width, height int, timeout time.Duration) context.Context {
	t.Helper()
	if !Available() {
		t.Skip("no " + Path + ": run scripts/install-chromium.sh for the browser checks")
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(Path), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.NoFirstRun, chromedp.NoDefaultBrowserCheck, chromedp.UserDataDir(t.TempDir()),
		chromedp.Flag("disable-quic", true), chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true), chromedp.Flag("disable-sync", true),
		chromedp.WindowSize(width, height),
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(actx)
	tctx, cancelT := context.WithTimeout(ctx, timeout)
	t.Cleanup(func() {
		cancelT()
		cancel()
		cancelAlloc()
	})
	if err := chromedp.Do(ctx, chromedp.Navigate(url)); err != nil {
		t.Fatalf("chromium: open %s: %v", url, err)
	}
	return tctx
}

// Screenshot saves the full page as name (a .png file name) in
// PEAKSHOP_SCREENSHOT_DIR, or in a temporary directory, logs where, and
// returns the path.
func Screenshot(t testing.TB, ctx context.Context, name string) string {
	t.Helper()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100)) // 100 means PNG
	if err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	dir := os.Getenv("PEAKSHOP_SCREENSHOT_DIR")
	if dir == "" {
		dir = t.TempDir()
	}
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, png, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot: %s", path)
	return path
}
