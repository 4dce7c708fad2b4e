package web

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/peakshop/peakshop/internal/domain/apperr"
	"github.com/peakshop/peakshop/internal/domain/cart"
	"github.com/peakshop/peakshop/internal/domain/catalog"
)

// cartPage serves /cart: lines with quantities to change or remove, the
// total and the way to checkout.
// A coupon code typed in its form (GET /cart?coupon=) is priced into the
// cart and carried to the checkout.
func (s *Server) cartPage(w http.ResponseWriter, r *http.Request) {
	s.showCart(w, r, nil, http.StatusOK, "", "", "")
}

// showCart renders the cart with an optional message, or an error beside
// one line (sku). v is the visitor when the caller has it (and may have
// just changed its session); nil reads it from the request.
func (s *Server) showCart(w http.ResponseWriter, r *http.Request, v *visitor, status int, message, sku, lineErr string) {
	if v == nil {
		read, err := s.visitor(r)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		v = &read
	}
	c, err := s.openCart(r.Context(), *v)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	d, err := s.describe(r.Context(), c)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if err := s.quote(r.Context(), &d, couponField(r.URL.Query().Get("coupon"))); err != nil {
		s.fail(w, r, err)
		return
	}
	d.Message = message
	for i := range d.Lines {
		if d.Lines[i].SKU == sku && lineErr != "" {
			d.Lines[i].Error = lineErr
		}
	}
	s.ensureToken(w, r, v)
	s.writePrivate(w, r, status, "cart", page{Title: "Your cart", NoIndex: true, CSRF: s.csrfToken(v.token), Visitor: v.view(), Data: d})
}

// addToCart handles the product page's form: POST /cart/items with sku and
// quantity. It adds to what the cart holds, never past the stock. Without
// JavaScript it redirects to the cart; with htmx it answers a note that
// replaces the form's status line.
func (s *Server) addToCart(w http.ResponseWriter, r *http.Request) {
	if !s.parseForm(w, r) {
		return
	}
	sku := field(r.PostForm.Get("sku"), 100)
	qty, qerr := strconv.Atoi(strings.TrimSpace(r.PostForm.Get("quantity")))
	if r.PostForm.Get("quantity") == "" {
		qty, qerr = 1, nil
	}
	switch {
	case !catalog.ValidSKU(sku):
		s.addResult(w, r, nil, http.StatusUnprocessableEntity, "Choose a size or colour first.")
		return
	case qerr != nil || qty < 1 || qty > cart.MaxQuantity:
		s.addResult(w, r, nil, http.StatusUnprocessableEntity, "Enter a quantity from 1 to 100.")
		return
	}
	ps, err := s.Catalog.ProductsBySKU(r.Context(), []string{sku})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	available, name, found := 0, "", false
	for _, p := range ps {
		for _, v := range p.Variants {
			if v.SKU == sku {
				available, name, found = v.Available, p.Name, true
			}
		}
	}
	if !found {
		s.addResult(w, r, nil, http.StatusUnprocessableEntity, "That item is no longer sold.")
		return
	}
	v, err := s.visitor(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	c, err := s.cartFor(r.Context(), w, r, &v)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	have := 0
	for _, it := range c.Items {
		if it.SKU == sku {
			have = it.Quantity
		}
	}
	want := min(have+qty, cart.MaxQuantity, available)
	if want <= have {
		msg := "Sorry, " + name + " is sold out."
		if available > 0 {
			msg = "Your cart already holds all " + strconv.Itoa(available) + " we have of " + name + "."
		}
		s.addResult(w, r, &v, http.StatusConflict, msg)
		return
	}
	if err := s.Carts.SetQuantity(r.Context(), c.ID, sku, want, s.Now()); err != nil {
		if apperr.Is(err, apperr.Invalid) {
			s.addResult(w, r, &v, http.StatusUnprocessableEntity, messageOf(err))
			return
		}
		s.fail(w, r, err)
		return
	}
	msg := "Added " + name + " to your cart."
	if want-have < qty {
		msg = "Added " + strconv.Itoa(want-have) + " of " + name + ": that is all we have."
	}
	if r.Header.Get("HX-Request") == "true" {
		s.addResult(w, r, &v, http.StatusOK, msg)
		return
	}
	http.Redirect(w, r, "/cart", http.StatusSeeOther)
}

// addResult answers an add-to-cart: a fragment for htmx, else the cart page
// with the message.
func (s *Server) addResult(w http.ResponseWriter, r *http.Request, v *visitor, status int, msg string) {
	if r.Header.Get("HX-Request") != "true" {
		s.showCart(w, r, v, status, msg, "", "")
		return
	}
	body, err := s.renderFragment("cart", "added", addedData{Message: msg, OK: status == http.StatusOK})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.writeRendered(w, r, status, newRendered(body, nil), s.hv.private)
}

type addedData struct {
	Message string
	OK      bool
}

// updateCartLine handles POST /cart/items/{sku} from the cart page: a new
// quantity, 0 to remove.
func (s *Server) updateCartLine(w http.ResponseWriter, r *http.Request) {
	if !s.parseForm(w, r) {
		return
	}
	v, err := s.visitor(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if !s.validCSRF(r, v) {
		s.formExpired(w, r)
		return
	}
	sku := r.PathValue("sku")
	qty, qerr := strconv.Atoi(strings.TrimSpace(r.PostForm.Get("quantity")))
	if qerr != nil || qty < 0 || qty > cart.MaxQuantity {
		s.showCart(w, r, &v, http.StatusUnprocessableEntity, "", sku, "Enter a quantity from 0 (remove) to 100.")
		return
	}
	if !catalog.ValidSKU(sku) || v.sess.CartID == "" {
		http.Redirect(w, r, "/cart", http.StatusSeeOther)
		return
	}
	err = s.Carts.SetQuantity(r.Context(), v.sess.CartID, sku, qty, s.Now())
	switch {
	case err == nil, apperr.Is(err, apperr.NotFound) && qty == 0:
	case apperr.Is(err, apperr.NotFound), apperr.Is(err, apperr.Conflict):
		s.showCart(w, r, &v, http.StatusConflict, "That line could not be changed: the item or the cart has changed meanwhile.", "", "")
		return
	default:
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/cart", http.StatusSeeOther)
}
