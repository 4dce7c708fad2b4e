package web_test

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestBrowserAdminChangesPrice: an administrator signs in with password and
// TOTP, changes a price in the console, and the product page shows it; the
// TOTP enrolment page and the sale scheduler's form work in the browser.
func TestBrowserAdminChangesPrice(t *testing.T) {
	s := startShop(t)
	ctx := newBrowser(t)
	secret := mustAdmin(t, s, "root@example.com")
	do(t, ctx, "password step",
		chromedp.Navigate(s.base+"/admin"),
		chromedp.WaitVisible(css("#f-password")),
		chromedp.SendKeys(css("#f-email"), "root@example.com"),
		chromedp.SendKeys(css("#f-password"), adminPassword),
		chromedp.Click(css(`form[action="/account/signin"] button[type=submit]`)),
		chromedp.WaitVisible(css("#f-code")),
		screenshot("admin-1-totp"),
	)
	do(t, ctx, "TOTP step",
		chromedp.SendKeys(css("#f-code"), mustCode(t, secret)),
		chromedp.Click(css(`form[action="/admin/verify"] button[type=submit]`)),
		chromedp.WaitVisible(css("#aq")),
	)
	do(t, ctx, "find and edit the product",
		chromedp.SendKeys(css("#aq"), "beanie"),
		chromedp.Submit(css("#aq")),
		chromedp.WaitVisible(css(`table a[href^="/admin/products/"]`)),
		chromedp.Click(css(`table a[href^="/admin/products/"]`)),
		chromedp.WaitVisible(css("#v-price-0")),
		chromedp.Clear(css("#v-price-0")),
		chromedp.SendKeys(css("#v-price-0"), "15.25"),
		chromedp.Click(css(`form[action^="/admin/products/"] button[type=submit]`)),
		chromedp.WaitVisible(css(".alert.info")),
		screenshot("admin-2-saved"),
	)
	do(t, ctx, "storefront shows the new price",
		chromedp.Navigate(s.base+"/products/wool-beanie"),
		chromedp.WaitVisible(css("h1")),
		screenshot("admin-3-product-page"),
	)
	if price := get(t, ctx, chromedp.Text(css(".variant .price"))); !strings.Contains(price, "$15.25") {
		t.Errorf("product page price = %q, want $15.25", price)
	}
	do(t, ctx, "TOTP enrolment page shows the secret and its QR code",
		chromedp.Navigate(s.base+"/admin/enrol"),
		chromedp.WaitVisible(css("#totp-secret")),
		chromedp.WaitVisible(css(`img[src^="data:image/png"]`)),
		screenshot("admin-4-enrol"),
	)
	do(t, ctx, "scheduler form puts errors beside fields",
		chromedp.Navigate(s.base+"/admin/schedule"),
		chromedp.WaitVisible(css("#f-product")),
		chromedp.SendKeys(css("#f-product"), "abc"),
		chromedp.Click(css(`form[action="/admin/schedule"] button[type=submit]`)),
		chromedp.WaitVisible(css("#e-product")),
		screenshot("admin-5-schedule-errors"),
	)
}
