package web_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/peakshop/peakshop/internal/domain/account"
)

const adminPassword = "correct horse battery"

// mustAdmin creates an administrator through the same account.Admins the
// 'peakshop admin create' command uses and returns its TOTP secret.
func mustAdmin(tb testing.TB, s *shop, email string) string {
	tb.Helper()
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	admins := account.NewAdmins(account.NewService(s.app.Store, s.app.Store, account.Config{}, logger), s.app.Store, account.AdminConfig{})
	_, enr, err := admins.Create(context.Background(), email, "Root", adminPassword)
	if err != nil {
		tb.Fatalf("create admin: %v", err)
	}
	if !strings.HasPrefix(enr.URI, "otpauth://totp/") || !strings.Contains(enr.URI, "secret="+enr.Secret) {
		tb.Fatalf("enrolment URI %q does not carry the secret", enr.URI)
	}
	return enr.Secret
}

func mustCode(tb testing.TB, secret string) string {
	tb.Helper()
	code, err := account.TOTPCode(secret, time.Now())
	if err != nil {
		tb.Fatal(err)
	}
	return code
}

// signInPassword signs b in with the password only.
func signInPassword(b *browser, email string) {
	b.t.Helper()
	f := b.form("/account/signin")
	f.Set("email", email)
	f.Set("password", adminPassword)
	wantStatus(b.t, b.post("/account/signin", f), http.StatusSeeOther, "password sign-in")
}

// adminBrowser is a browser signed in as a fresh administrator who passed
// TOTP.
func adminBrowser(tb testing.TB, s *shop, email string) *browser {
	tb.Helper()
	secret := mustAdmin(tb, s, email)
	b := s.browser()
	signInPassword(b, email)
	f := b.form("/admin/verify")
	f.Set("code", mustCode(tb, secret))
	p := b.post("/admin/verify", f)
	if p.Status != http.StatusSeeOther || p.Header.Get("Location") != "/admin" {
		tb.Fatalf("verify: %d %s\n%s", p.Status, p.Header.Get("Location"), p.Body)
	}
	return b
}

func TestAdminRoleChecks(t *testing.T) {
	s := startShop(t)
	guest := s.browser()
	if p := guest.get("/admin/products"); p.Status != http.StatusSeeOther || !strings.HasPrefix(p.Header.Get("Location"), "/account/signin") {
		t.Fatalf("guest: %d %s", p.Status, p.Header.Get("Location"))
	}

	customer := s.browser()
	f := customer.form("/account/signup")
	f.Set("email", "shopper@example.com")
	f.Set("password", "a long passphrase")
	wantStatus(t, customer.post("/account/signup", f), http.StatusSeeOther, "sign up")
	for _, path := range []string{"/admin", "/admin/products", "/admin/orders", "/admin/inventory", "/admin/verify"} {
		wantStatus(t, customer.get(path), http.StatusNotFound, "customer on "+path)
	}
	p := customer.post("/admin/inventory/SH-1", url.Values{"csrf": customer.form("/account")["csrf"], "op": {"set"}, "value": {"0"}})
	wantStatus(t, p, http.StatusNotFound, "customer posting stock")

	mustAdmin(t, s, "root@example.com")
	half := s.browser()
	signInPassword(half, "root@example.com")
	for _, path := range []string{"/admin", "/admin/products", "/admin/orders/ord_x"} {
		p := half.get(path)
		if p.Status != http.StatusSeeOther || p.Header.Get("Location") != "/admin/verify" {
			t.Errorf("admin without TOTP on %s: %d %s", path, p.Status, p.Header.Get("Location"))
		}
	}
	p = half.post("/admin/inventory/SH-1", url.Values{"csrf": half.form("/admin/verify")["csrf"], "op": {"set"}, "value": {"0"}})
	if p.Status != http.StatusSeeOther || p.Header.Get("Location") != "/admin/verify" {
		t.Errorf("admin without TOTP posting stock: %d %s", p.Status, p.Header.Get("Location"))
	}
	if n, _ := s.app.Store.StockOf(context.Background(), "SH-1"); n != 50 {
		t.Errorf("stock changed by refused requests: %d", n)
	}
}

func TestAdminTOTP(t *testing.T) {
	s := startShop(t)
	secret := mustAdmin(t, s, "root@example.com")
	b := s.browser()
	signInPassword(b, "root@example.com")
	wantContains(t, b.get("/admin/verify"), "verify page", "Two-step check", `autocomplete="one-time-code"`)

	code := mustCode(t, secret)
	wrong := strconv.Itoa((mustAtoi(t, code) + 1) % 1000000)
	for len(wrong) < 6 {
		wrong = "0" + wrong
	}
	f := b.form("/admin/verify")
	f.Set("code", wrong)
	p := b.post("/admin/verify", f)
	wantStatus(t, p, http.StatusUnauthorized, "wrong code")
	wantContains(t, p, "wrong code", `id="e-code"`)
	wantStatus(t, b.get("/admin/products"), http.StatusSeeOther, "still not verified")

	f.Set("code", code)
	p = b.post("/admin/verify", f)
	wantStatus(t, p, http.StatusSeeOther, "right code")
	if c := cookieMaxAge(p.Header, "ps_session"); c <= 0 || c > int((8*time.Hour).Seconds()) {
		t.Errorf("admin session cookie Max-Age = %d, want at most 8h", c)
	}
	wantContains(t, b.get("/admin/products"), "console", "Wool Beanie", "New product")

	// The same code again, from another password sign-in, in its window.
	o := s.browser()
	signInPassword(o, "root@example.com")
	f = o.form("/admin/verify")
	f.Set("code", code)
	wantStatus(t, o.post("/admin/verify", f), http.StatusUnauthorized, "replayed code")
	wantStatus(t, o.get("/admin/products"), http.StatusSeeOther, "replay did not verify")
}

func mustAtoi(tb testing.TB, s string) int {
	tb.Helper()
	n, err := strconv.Atoi(s)
	if err != nil {
		tb.Fatal(err)
	}
	return n
}

func cookieMaxAge(h http.Header, name string) int {
	for _, c := range (&http.Response{Header: h}).Cookies() {
		if c.Name == name {
			return c.MaxAge
		}
	}
	return -1
}

func TestAdminFormsNeedCSRF(t *testing.T) {
	s := startShop(t)
	b := adminBrowser(t, s, "root@example.com")
	id := s.productID("wool-beanie")
	good := b.form("/admin/inventory")
	for _, path := range []string{"/admin/products", "/admin/products/" + id, "/admin/inventory/SH-1", "/admin/inventory/lookup", "/admin/verify"} {
		for _, csrf := range []string{"", "forged", strings.Repeat("A", len(good.Get("csrf")))} {
			form := url.Values{"op": {"set"}, "value": {"1"}, "sku": {"SH-1"}, "name": {"X"}, "code": {"000000"}}
			if csrf != "" {
				form.Set("csrf", csrf)
			}
			wantStatus(t, b.post(path, form), http.StatusForbidden, "POST "+path+" with csrf "+csrf)
		}
	}
	// A form posted from another site is refused before any token check.
	wantStatus(t, b.post("/admin/inventory/SH-1", url.Values{"csrf": good["csrf"], "op": {"set"}, "value": {"1"}},
		"Sec-Fetch-Site", "cross-site"), http.StatusForbidden, "cross-site post")
	if n, _ := s.app.Store.StockOf(context.Background(), "SH-1"); n != 50 {
		t.Errorf("stock changed by forged posts: %d", n)
	}
}

func (s *shop) productID(slug string) string {
	s.t.Helper()
	p, err := s.app.Store.ProductBySlug(context.Background(), slug)
	if err != nil {
		s.t.Fatal(err)
	}
	return strconv.FormatInt(p.ID, 10)
}

func TestAdminProductEdit(t *testing.T) {
	s := startShopWith(t, func(ttl *int) { *ttl = 60 }) // a long page cache: the edit must purge it
	b := adminBrowser(t, s, "root@example.com")
	wantContains(t, s.browser().get("/products/wool-beanie"), "before", "$19.99")
	p := b.get("/admin/products?q=beanie")
	wantContains(t, p, "search", "Wool Beanie")
	if strings.Contains(p.Body, "Trail Runner") {
		t.Errorf("search for beanie lists Trail Runner")
	}
	id := s.productID("wool-beanie")
	edit := b.get("/admin/products/" + id)
	wantContains(t, edit, "edit form", `value="Wool Beanie"`, `value="19.99"`, `value="WB-RED"`, `<option value="hats" selected>`)

	f := b.form("/admin/products/" + id)
	f.Set("slug", "wool-beanie")
	f.Set("name", "Wool Beanie Deluxe")
	f.Set("description", "Warmer.")
	f.Set("category", "hats")
	f.Set("images", "/images/products/wool-beanie-1.png\n/images/products/wool-beanie-2.png")
	f["v_sku"] = []string{"WB-GREY", "WB-RED", ""}
	f["v_name"] = []string{"Grey", "Red", ""}
	f["v_price"] = []string{"17.50", "oops", ""}
	p = b.post("/admin/products/"+id, f)
	wantStatus(t, p, http.StatusUnprocessableEntity, "bad price")
	wantContains(t, p, "bad price kept", `value="oops"`, "price must be an amount", `value="Wool Beanie Deluxe"`)

	f["v_price"] = []string{"17.50", "24.99", ""}
	p = b.post("/admin/products/"+id, f)
	wantStatus(t, p, http.StatusSeeOther, "save")
	wantContains(t, b.get(p.Header.Get("Location")), "saved", "Saved.", `value="17.50"`, `value="Wool Beanie Deluxe"`)
	got, err := s.app.Store.ProductBySlug(context.Background(), "wool-beanie")
	if err != nil || got.Name != "Wool Beanie Deluxe" || got.Description != "Warmer." || len(got.Images) != 2 ||
		got.Variants[0].Price.Amount != 1750 || got.Variants[0].Available != 3 {
		t.Fatalf("stored product = %+v, %v", got, err)
	}
	wantContains(t, s.browser().get("/products/wool-beanie"), "storefront after purge", "$17.50", "Wool Beanie Deluxe")

	// A new product.
	nf := b.form("/admin/products/new")
	nf.Set("slug", "rain-cap")
	nf.Set("name", "Rain Cap")
	nf.Set("category", "hats")
	nf["v_sku"], nf["v_name"], nf["v_price"] = []string{"RC-1"}, []string{"One size"}, []string{"12"}
	p = b.post("/admin/products", nf)
	wantStatus(t, p, http.StatusSeeOther, "create")
	wantContains(t, s.browser().get("/products/rain-cap"), "new product page", "Rain Cap", "$12.00")
	wantStatus(t, b.post("/admin/products", nf), http.StatusUnprocessableEntity, "taken slug")
}

func TestAdminStock(t *testing.T) {
	s := startShop(t)
	b := adminBrowser(t, s, "root@example.com")
	p := b.get("/admin/inventory")
	wantContains(t, p, "low stock", "WB-GREY", "WB-RED")
	if strings.Contains(p.Body, ">SH-1<") {
		t.Errorf("SH-1 (50) listed as low")
	}
	f := b.form("/admin/inventory")
	f.Set("op", "set")
	f.Set("value", "2")
	p = b.post("/admin/inventory/SH-1", f)
	wantStatus(t, p, http.StatusSeeOther, "set")
	wantContains(t, b.get(p.Header.Get("Location")), "after set", "Stock of SH-1 is now 2", ">SH-1<")

	f.Set("op", "adjust")
	f.Set("value", "5")
	wantStatus(t, b.post("/admin/inventory/SH-1", f), http.StatusSeeOther, "adjust up")
	f.Set("value", "-3")
	wantStatus(t, b.post("/admin/inventory/SH-1", f), http.StatusSeeOther, "adjust down")
	if n, _ := s.app.Store.StockOf(context.Background(), "SH-1"); n != 4 {
		t.Fatalf("stock after set 2, +5, -3 = %d, want 4", n)
	}
	f.Set("value", "-10")
	p = b.post("/admin/inventory/SH-1", f)
	wantStatus(t, p, http.StatusUnprocessableEntity, "below zero")
	wantContains(t, p, "below zero", "below 0", `value="-10"`)
	f.Set("sku", "NOPE-1")
	wantStatus(t, b.post("/admin/inventory/lookup", f), http.StatusNotFound, "unknown SKU")
	f.Set("sku", "TR-42")
	f.Set("op", "set")
	f.Set("value", "7")
	wantStatus(t, b.post("/admin/inventory/lookup", f), http.StatusSeeOther, "set by lookup form")
	wantContains(t, s.browser().get("/products/trail-runner"), "storefront stock", "In stock")
	if n, _ := s.app.Store.StockOf(context.Background(), "TR-42"); n != 7 {
		t.Fatalf("TR-42 = %d, want 7", n)
	}
}

func TestAdminOrders(t *testing.T) {
	s := startShop(t)
	shopper := s.browser()
	var ids []string
	for _, token := range []string{"tok_visa", "tok_chargeDeclined"} {
		shopper.post("/cart/items", url.Values{"sku": {"TR-42"}})
		p := shopper.post("/checkout", checkoutForm(shopper, token))
		if token == "tok_visa" {
			wantStatus(t, p, http.StatusSeeOther, "paid checkout")
			ids = append(ids, strings.TrimSuffix(strings.TrimPrefix(p.Header.Get("Location"), "/orders/"), "/confirmation"))
		}
	}
	b := adminBrowser(t, s, "root@example.com")
	all := b.get("/admin/orders")
	wantContains(t, all, "all orders", ids[0], `data-status="paid"`, `data-status="payment_declined"`)
	paid := b.get("/admin/orders?status=paid")
	wantContains(t, paid, "paid filter", ids[0], `<option value="paid" selected>`)
	if strings.Contains(paid.Body, `data-status="payment_declined"`) {
		t.Errorf("paid filter lists a declined order")
	}
	declined := b.get("/admin/orders?status=payment_declined")
	if strings.Contains(declined.Body, ids[0]) || !strings.Contains(declined.Body, `data-status="payment_declined"`) {
		t.Errorf("declined filter wrong:\n%s", declined.Body)
	}
	wantContains(t, b.get("/admin/orders/"+ids[0]), "detail", "Order "+ids[0], "TR-42", "ada@example.com", "1 Main St", "$89.99")
	wantStatus(t, b.get("/admin/orders/ord_nope"), http.StatusNotFound, "unknown order")
}
