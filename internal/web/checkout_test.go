package web_test

import (
	"bufio"
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

func TestGuestBuysTwoItems(t *testing.T) {
	s := startShop(t)
	b := s.browser()
	if p := b.post("/cart/items", url.Values{"sku": {"WB-GREY"}, "quantity": {"2"}}); p.Status != http.StatusSeeOther {
		t.Fatalf("add: %d %s", p.Status, p.Body)
	}
	// htmx adds without leaving the page and gets a note back.
	p := b.post("/cart/items", url.Values{"sku": {"TR-42"}}, "HX-Request", "true")
	wantStatus(t, p, 200, "htmx add")
	wantContains(t, p, "htmx add", "Added Trail Runner to your cart")
	if cc := p.Header.Get("Cache-Control"); cc != "private, no-store" {
		t.Errorf("cart answer Cache-Control = %q", cc)
	}
	// Asking for more than the stock adds what there is.
	p = b.post("/cart/items", url.Values{"sku": {"WB-GREY"}, "quantity": {"5"}}, "HX-Request", "true")
	wantContains(t, p, "over-add", "that is all we have")
	p = b.post("/cart/items", url.Values{"sku": {"WB-RED"}}, "HX-Request", "true")
	wantStatus(t, p, http.StatusConflict, "sold-out add")

	cart := b.get("/cart")
	wantStatus(t, cart, 200, "cart")
	wantContains(t, cart, "cart", "Wool Beanie", "Trail Runner", `value="3"`, "$149.96")
	if cart.Header.Get("Cache-Control") != "private, no-store" {
		t.Errorf("cart Cache-Control = %q", cart.Header.Get("Cache-Control"))
	}
	f := b.form("/cart")
	f.Set("quantity", "1")
	if p := b.post("/cart/items/WB-GREY", f); p.Status != http.StatusSeeOther {
		t.Fatalf("update: %d %s", p.Status, p.Body)
	}
	f.Set("quantity", "500")
	p = b.post("/cart/items/WB-GREY", f)
	wantStatus(t, p, http.StatusUnprocessableEntity, "bad quantity")
	wantContains(t, p, "bad quantity", "Enter a quantity from 0 (remove) to 100")
	wantContains(t, b.get("/cart"), "cart after update", "$109.98")

	// Bad input: the form again, input kept, errors beside the fields.
	f = checkoutForm(b, "tok_visa")
	f.Set("email", "not-an-email")
	f.Set("country", "USA")
	f.Set("city", "")
	p = b.post("/checkout", f)
	wantStatus(t, p, http.StatusUnprocessableEntity, "bad checkout")
	wantContains(t, p, "bad checkout", `value="not-an-email"`, `id="e-email"`, `id="e-country"`, `id="e-city"`, `value="Ada Lovelace"`, `aria-invalid="true"`)

	p = b.post("/checkout", checkoutForm(b, "tok_visa"))
	if p.Status != http.StatusSeeOther || !strings.HasSuffix(p.Header.Get("Location"), "/confirmation") {
		t.Fatalf("checkout: %d %s %s", p.Status, p.Header.Get("Location"), p.Body)
	}
	confirmation := p.Header.Get("Location")
	orderPath := strings.TrimSuffix(confirmation, "/confirmation")
	wantContains(t, b.get(confirmation), "confirmation", "Thank you", "Wool Beanie (Grey)", "Trail Runner", "$109.98", "Springfield")
	status := b.get(orderPath)
	wantStatus(t, status, 200, "status page")
	wantContains(t, status, "status page", `sse-connect="`+orderPath+`/events"`, "Paid, being prepared", `http-equiv="refresh"`)
	wantContains(t, b.get("/cart"), "cart after checkout", "Your cart is empty")

	// Somebody else, without the cookie, cannot see the order.
	other := s.browser()
	wantStatus(t, other.get(orderPath), 404, "stranger on the order")
	wantStatus(t, other.get(orderPath+"/events"), 404, "stranger on the stream")

	// The status stream sends the status block as an event.
	ev := readEvent(t, b, orderPath+"/events")
	if !strings.Contains(ev, "event: status") || !strings.Contains(ev, `data-status="paid"`) {
		t.Errorf("first event = %q", ev)
	}
}

// readEvent reads the stream until its first blank line (the end of one
// event), then hangs up.
func readEvent(t *testing.T, b *browser, path string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", b.base+path, nil)
	res, err := b.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if ct := res.Header.Get("Content-Type"); ct != "text/event-stream" {
		t.Fatalf("stream content type %q, status %d", ct, res.StatusCode)
	}
	var ev strings.Builder
	sc := bufio.NewScanner(res.Body)
	for sc.Scan() {
		if sc.Text() == "" {
			break
		}
		ev.WriteString(sc.Text() + "\n")
	}
	return ev.String()
}

func TestDeclinedCardShowsErrorBesideTheField(t *testing.T) {
	s := startShop(t)
	b := s.browser()
	b.post("/cart/items", url.Values{"sku": {"SH-1"}})
	p := b.post("/checkout", checkoutForm(b, "tok_chargeDeclined"))
	wantStatus(t, p, http.StatusPaymentRequired, "declined")
	wantContains(t, p, "declined", `id="e-token"`, "declined", "Nothing was charged", `value="tok_chargeDeclined"`, `value="Ada Lovelace"`)
	// The cart is open again and a second card works.
	p = b.post("/checkout", checkoutForm(b, "tok_visa"))
	wantStatus(t, p, http.StatusSeeOther, "retry with another card")
}

func TestFormsNeedTheirToken(t *testing.T) {
	s := startShop(t)
	b := s.browser()
	b.post("/cart/items", url.Values{"sku": {"SH-1"}})
	p := b.post("/checkout", url.Values{"token": {"tok_visa"}})
	wantStatus(t, p, http.StatusForbidden, "checkout without CSRF token")
	wantContains(t, p, "expired form", "This form has expired")
	f := b.form("/cart")
	f.Set("quantity", "0")
	p = b.post("/cart/items/SH-1", f, "Sec-Fetch-Site", "cross-site")
	wantStatus(t, p, http.StatusForbidden, "cross-site post")
	p = b.post("/cart/items", url.Values{"sku": {"SH-1"}}, "Origin", "https://evil.example")
	wantStatus(t, p, http.StatusForbidden, "cross-origin add")
	// Another visitor's token is no good either.
	other := s.browser()
	theirs := other.form("/account/signin")
	f.Set("csrf", theirs.Get("csrf"))
	wantStatus(t, b.post("/cart/items/SH-1", f), http.StatusForbidden, "someone else's token")
}
