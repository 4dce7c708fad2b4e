package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

func TestSignUpSignInHistory(t *testing.T) {
	s := startShop(t)
	b := s.browser()
	p := b.get("/account")
	if p.Status != http.StatusSeeOther || !strings.HasPrefix(p.Header.Get("Location"), "/account/signin") {
		t.Fatalf("guest on /account: %d %s", p.Status, p.Header.Get("Location"))
	}
	f := b.form("/account/signup")
	f.Set("email", "grace@example.com")
	f.Set("password", "short")
	p = b.post("/account/signup", f)
	wantStatus(t, p, http.StatusUnprocessableEntity, "short password")
	wantContains(t, p, "short password", `id="e-password"`, `value="grace@example.com"`)
	f.Set("name", "Grace")
	f.Set("password", "a long passphrase")
	wantStatus(t, b.post("/account/signup", f), http.StatusSeeOther, "sign up")
	wantContains(t, b.get("/account"), "account", "Grace (grace@example.com)", "No orders yet")

	// An order placed while signed in is in the history.
	b.post("/cart/items", url.Values{"sku": {"TR-42"}})
	p = b.post("/checkout", checkoutForm(b, "tok_visa"))
	wantStatus(t, p, http.StatusSeeOther, "checkout signed in")
	orderPath := strings.TrimSuffix(p.Header.Get("Location"), "/confirmation")
	orderID := strings.TrimPrefix(orderPath, "/orders/")
	wantContains(t, b.get("/account"), "history", orderID, "Paid, being prepared", "$89.99")

	wantStatus(t, b.post("/account/signout", b.form("/account")), http.StatusSeeOther, "sign out")
	if p := b.get("/account"); p.Status != http.StatusSeeOther {
		t.Fatalf("after sign-out /account = %d", p.Status)
	}

	// Another browser: a guest cart, then sign in; the cart comes along and
	// the owner reads the order without its access cookie.
	o := s.browser()
	o.post("/cart/items", url.Values{"sku": {"SH-1"}})
	wantStatus(t, o.get(orderPath), 404, "order before sign-in")
	f = o.form("/account/signin")
	f.Set("email", "GRACE@example.com ")
	f.Set("password", "wrong password")
	p = o.post("/account/signin", f)
	wantStatus(t, p, http.StatusUnauthorized, "wrong password")
	wantContains(t, p, "wrong password", "The e-mail or password is not right", `value="GRACE@example.com "`)
	f.Set("password", "a long passphrase")
	wantStatus(t, o.post("/account/signin", f), http.StatusSeeOther, "sign in")
	wantContains(t, o.get("/cart"), "merged cart", "Sun Hat")
	wantContains(t, o.get(orderPath), "owner reads order", "Order "+orderID)
	wantContains(t, o.get("/account"), "history on another device", orderID)
}

func TestSignInIsThrottled(t *testing.T) {
	s := startShop(t)
	b := s.browser()
	f := b.form("/account/signin")
	f.Set("email", "victim@example.com")
	f.Set("password", "guess")
	for i := range 5 {
		if p := b.post("/account/signin", f); p.Status != http.StatusUnauthorized {
			t.Fatalf("attempt %d: %d", i+1, p.Status)
		}
	}
	p := b.post("/account/signin", f)
	wantStatus(t, p, http.StatusTooManyRequests, "sixth attempt")
	wantContains(t, p, "throttled", "Too many sign-in attempts")
}
