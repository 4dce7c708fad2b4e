package app_test

import (
	"context"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/peakshop/peakshop/internal/app"
	"github.com/peakshop/peakshop/internal/platform/headless"
)

// TestConsoleInChromium opens /console in headless Chromium after some
// traffic, waits for the live data to arrive, checks every chart drew and
// the traces and alarms are listed, and saves a screenshot (path in the
// log; PEAKSHOP_SCREENSHOT_DIR chooses the directory).
func TestConsoleInChromium(t *testing.T) {
	if !headless.Available() {
		t.Skip("no " + headless.Path + ": run scripts/install-chromium.sh to check the console in a browser")
	}
	// The pipeline and the in-process edge run, so the queue, instance and
	// WAF charts have data (with them off those panels say "not running").
	s := startObservedShop(t, withPipeline, func(c *app.Config) { c.Edge.On = true })
	p := s.addProduct("console", 4200, 50)
	s.do("GET", "/?q=%3Cscript%3Ealert(1)%3C%2Fscript%3E", nil) // a WAF block for its chart
	for i := 0; i < 8; i++ {
		s.mustStatus(s.do("GET", "/api/v1/products/console", nil), http.StatusOK)
		s.do("GET", "/api/v1/products/no-such-product", nil)
		cart := s.newCart(map[string]int{p.Variants[0].SKU: 1})
		tok := "tok_visa"
		if i%4 == 3 {
			tok = "tok_chargeDeclined"
		}
		s.do("POST", "/api/v1/checkout", checkoutBody(cart, tok), "Idempotency-Key", fmt.Sprintf("console-%d", i))
	}

	tctx := headless.Open(t, s.base+"/console?token="+adminToken, 1400, 2000, 60*time.Second)
	err := chromedp.Do(tctx,
		chromedp.WaitVisible(`body[data-ready="true"]`),
		// More traffic while the page is open: the charts must move without a reload.
		chromedp.Func(func(context.Context, *chromedp.Target) error {
			for i := 0; i < 5; i++ {
				s.do("GET", "/api/v1/products/console", nil)
			}
			return nil
		}),
		chromedp.Sleep(1500*time.Millisecond), // a few polls, so the lines have several points; nothing is timed
	)
	if err != nil {
		t.Fatalf("console in Chromium: %v", err)
	}
	count := func(sel string) int {
		// Evaluate, not Poll: zero is an answer here, not "not yet".
		n, err := chromedp.Run(tctx, chromedp.Evaluate[int](`document.querySelectorAll(`+"`"+sel+"`"+`).length`))
		if err != nil {
			t.Fatalf("count %s: %v", sel, err)
		}
		return n
	}
	n, err := chromedp.Run(tctx, chromedp.Poll[int](`document.querySelectorAll('#traces tbody tr').length`))
	if err != nil || n == 0 {
		t.Fatalf("no traces listed: %v", err)
	}
	canvases, traceRows, alarmRows, mapNodes := count(".charts canvas"), count("#traces tbody tr"), count("#alarms tbody tr"), count("#map .node")
	hidden := count(".panel.not-running")
	if canvases < 10 || traceRows == 0 || alarmRows < 4 || mapNodes < 4 || hidden != 0 {
		t.Errorf("console drew %d charts (want all 10 running), %d traces, %d alarms, %d service-map nodes (want clients, peakshop, sqlite, nats), %d not-running panels (want 0)", canvases, traceRows, alarmRows, mapNodes, hidden)
	}
	// The new series reach the page: instances, queue lag and WAF blocks
	// have values, not gaps.
	for _, field := range []string{"instances", "queue_lag", "waf_blocks_per_s"} {
		v, err := chromedp.Run(tctx, chromedp.Poll[bool](`(function(){ var c = window.peakshopConsole && window.peakshopConsole.cols[`+"`"+field+"`"+`]; return !!c && c.some(function(v){ return v !== null && v !== undefined; }); })()`, chromedp.WithPollingTimeout(10*time.Second)))
		if err != nil || !v {
			t.Errorf("console has no %s values: %v", field, err)
		}
	}
	headless.Screenshot(t, tctx, "peakshop-console.png")
	t.Logf("console: %d charts, %d traces, %d alarms, %d map nodes", canvases, traceRows, alarmRows, mapNodes)
}
