package web_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/peakshop/peakshop/internal/platform/headless"
)

// newBrowser starts a headless Chromium with a fresh profile, bounded by
// a deadline so a hung page fails the test instead of hanging it. It skips
// without Chromium and in -short mode.
func newBrowser(t *testing.T) context.Context {
	t.Helper()
	if testing.Short() {
		t.Skip("browser tests skipped in -short mode")
	}
	return headless.Open(t, "about:blank", 1280, 900, 40*time.Second)
}

// css is a CSS selector (a plain string would be a DOM text search).
type css = chromedp.CSS

// screenshot saves the full page to testdata/screenshots/<name>.png.
func screenshot(name string) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		png, err := chromedp.FullScreenshot(100)(ctx, t)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join("testdata", "screenshots", name+".png"), png, 0o644)
	})
}

// do runs the steps, and on failure reports where the browser was and what
// the page said.
func do(t *testing.T, ctx context.Context, step string, actions ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	start := time.Now()
	sctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	if err := chromedp.Do(sctx, actions...); err != nil {
		loc, _ := chromedp.Run(ctx, chromedp.Location())
		body, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.body ? document.body.innerText : ""`))
		_ = chromedp.Do(ctx, screenshot("failed-"+strings.ReplaceAll(t.Name(), "/", "-")))
		t.Fatalf("%s: %v (at %s)\n%s", step, err, loc, body)
	}
	t.Logf("%s: %v", step, time.Since(start).Round(time.Millisecond))
}

// get runs one action that returns a value.
func get[T any](t *testing.T, ctx context.Context, a chromedp.Action[T]) T {
	t.Helper()
	v, err := chromedp.Run(ctx, a)
	if err != nil {
		t.Fatalf("read from the page: %v", err)
	}
	return v
}

func fillCheckout(token string) chromedp.Action[chromedp.Void] {
	steps := []chromedp.Action[chromedp.Void]{chromedp.WaitVisible(css("#f-email"))}
	for _, f := range [][2]string{{"#f-email", "ada@example.com"}, {"#f-name", "Ada Lovelace"}, {"#f-line1", "1 Main St"},
		{"#f-city", "Springfield"}, {"#f-postal_code", "12345"}, {"#f-token", token}} {
		// Signed in, e-mail and name come filled in: type over them.
		steps = append(steps, chromedp.Clear(css(f[0])), chromedp.SendKeys(css(f[0]), f[1]))
	}
	return chromedp.Steps(append(steps, chromedp.Click(css(`form[action="/checkout"] button[type=submit]`)))...)
}

// addToCart adds the product's default variant from its page, with htmx.
func addToCart(base, slug string) chromedp.Action[chromedp.Void] {
	return chromedp.Steps(
		chromedp.Navigate(base+"/products/"+slug),
		chromedp.WaitVisible(css("#qty")),
		chromedp.Click(css(`form[action="/cart/items"] button`)),
		chromedp.WaitVisible(css("#cart-note .ok")),
	)
}

func TestBrowserGuestBuysTwoItems(t *testing.T) {
	s := startShop(t)
	ctx := newBrowser(t)
	do(t, ctx, "home",
		chromedp.Navigate(s.base+"/"),
		chromedp.WaitVisible(css("h1")),
		chromedp.KeyEvent(kb.Tab),
		screenshot("guest-1-home"),
	)
	if focused := get(t, ctx, chromedp.Evaluate[string](`document.activeElement.className`)); focused != "skip" {
		t.Errorf("first Tab focuses %q, want the skip link", focused)
	}
	do(t, ctx, "browse a category",
		chromedp.Click(css(`.cats-list a[href="/c/hats"]`)),
		chromedp.WaitVisible(css(`a[href="/products/wool-beanie"]`)),
	)
	do(t, ctx, "search and add the first item with htmx",
		chromedp.SendKeys(css("#site-q"), "trail"),
		chromedp.Submit(css("#site-q")),
		chromedp.WaitVisible(css(`.grid a[href="/products/trail-runner"]`)),
		chromedp.Click(css(`.grid a[href="/products/trail-runner"]`)),
		chromedp.WaitVisible(css("#qty")),
		chromedp.Click(css(`form[action="/cart/items"] button`)),
		chromedp.WaitVisible(css("#cart-note .ok")),
		screenshot("guest-2-product-added"),
	)
	note1 := get(t, ctx, chromedp.Text(css("#cart-note")))
	do(t, ctx, "add a second item", addToCart(s.base, "wool-beanie"))
	note2 := get(t, ctx, chromedp.Text(css("#cart-note")))
	if !strings.Contains(note1, "Trail Runner") || !strings.Contains(note2, "Wool Beanie") {
		t.Errorf("add notes = %q, %q", note1, note2)
	}
	do(t, ctx, "cart and checkout",
		chromedp.Navigate(s.base+"/cart"),
		chromedp.WaitVisible(css(`a[href="/checkout"]`)),
		screenshot("guest-3-cart"),
		chromedp.Click(css(`a[href="/checkout"]`)),
		fillCheckout("tok_visa"),
		chromedp.WaitVisible(css(`a.btn[href^="/orders/"]`)),
		screenshot("guest-4-confirmation"),
	)
	if h := get(t, ctx, chromedp.Text(css("h1"))); !strings.Contains(h, "Thank you") {
		t.Errorf("confirmation heading = %q", h)
	}
	do(t, ctx, "status page, updated over server-sent events",
		chromedp.Click(css(`a.btn[href^="/orders/"]`)),
		chromedp.WaitVisible(css(`#order-status[data-status="paid"]`)),
		// The sse extension keeps its EventSource on the element; open
		// (readyState 1) means the stream is live.
		chromedp.Poll[chromedp.Void](`(() => { const d = document.querySelector('[sse-connect]')['htmx-internal-data']; return d && d.sseEventSource && d.sseEventSource.readyState === 1 })()`,
			chromedp.WithPollingTimeout(10*time.Second)),
		screenshot("guest-5-order-status"),
	)
	if st := get(t, ctx, chromedp.Text(css("#order-status"))); !strings.Contains(st, "Paid") {
		t.Errorf("status block = %q", st)
	}
}

func TestBrowserDeclinedCard(t *testing.T) {
	s := startShop(t)
	ctx := newBrowser(t)
	do(t, ctx, "declined card",
		addToCart(s.base, "sun-hat"),
		chromedp.Navigate(s.base+"/checkout"),
		fillCheckout("tok_chargeDeclined"),
		chromedp.WaitVisible(css("#e-token")),
		chromedp.ScrollIntoView(css("#f-token")),
		screenshot("declined-checkout"),
	)
	msg := get(t, ctx, chromedp.Text(css("#e-token")))
	kept := get(t, ctx, chromedp.Value(css("#f-name")))
	if !strings.Contains(msg, "declined") || kept != "Ada Lovelace" {
		t.Errorf("error %q, name kept %q", msg, kept)
	}
}

func TestBrowserAccount(t *testing.T) {
	s := startShop(t)
	ctx := newBrowser(t)
	do(t, ctx, "sign up",
		chromedp.Navigate(s.base+"/account/signup"),
		chromedp.WaitVisible(css("#f-email")),
		chromedp.SendKeys(css("#f-name"), "Grace"),
		chromedp.SendKeys(css("#f-email"), "grace@example.com"),
		chromedp.SendKeys(css("#f-password"), "a long passphrase"),
		chromedp.Click(css(`form[action="/account/signup"] button`)),
		chromedp.WaitVisible(css(`form[action="/account/signout"]`)),
	)
	do(t, ctx, "buy while signed in",
		addToCart(s.base, "trail-runner"),
		chromedp.Navigate(s.base+"/checkout"),
		fillCheckout("tok_visa"),
		chromedp.WaitVisible(css(`a.btn[href^="/orders/"]`)),
	)
	do(t, ctx, "sign out",
		chromedp.Navigate(s.base+"/account"),
		chromedp.Click(css(`form[action="/account/signout"] button`)),
		chromedp.WaitVisible(css(".cats-list")),
		chromedp.Navigate(s.base+"/account"),
		chromedp.WaitVisible(css("#f-password")),
	)
	if loc := get(t, ctx, chromedp.Location()); !strings.Contains(loc, "/account/signin") {
		t.Errorf("signed out, /account went to %q", loc)
	}
	do(t, ctx, "sign in and see the history",
		chromedp.SendKeys(css("#f-email"), "grace@example.com"),
		chromedp.SendKeys(css("#f-password"), "a long passphrase"),
		chromedp.Click(css(`form[action="/account/signin"] button`)),
		chromedp.WaitVisible(css(`table a[href^="/orders/"]`)),
		screenshot("account-history"),
	)
	if h := get(t, ctx, chromedp.Text(css("main"))); !strings.Contains(h, "Paid") || !strings.Contains(h, "$89.99") {
		t.Errorf("history = %q", h)
	}
}
