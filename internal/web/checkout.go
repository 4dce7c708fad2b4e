package web

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/peakshop/peakshop/internal/domain/account"
	"github.com/peakshop/peakshop/internal/domain/apperr"
	"github.com/peakshop/peakshop/internal/domain/order"
)

// checkoutForm is the checkout form as typed, kept to show it again.
type checkoutForm struct {
	Email, Name, Line1, Line2, City, PostalCode, Country, Token, Coupon string
	// Key is the checkout's idempotency key: a double-click sends the same
	// key twice and places one order. A fresh one comes with every render,
	// since a declined attempt's key holds the decline.
	Key string
}

type checkoutData struct {
	Form    checkoutForm
	Errors  fieldErrors
	Message string
	Cart    cartData
}

// formFieldOf maps the domain's field names to the form's.
func formFieldOf(domainField string) (string, bool) {
	switch domainField {
	case "email":
		return "email", true
	case "payment.token":
		return "token", true
	case "coupon":
		return "coupon", true
	case "shipping_address.name", "shipping_address.line1", "shipping_address.line2", "shipping_address.city",
		"shipping_address.postal_code", "shipping_address.country":
		return strings.TrimPrefix(domainField, "shipping_address."), true
	}
	return "", false
}

// checkoutPage serves GET /checkout: the address and payment form beside
// the order summary.
func (s *Server) checkoutPage(w http.ResponseWriter, r *http.Request) {
	v, err := s.visitor(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	f := checkoutForm{Email: v.sess.Email, Name: v.sess.Name, Country: "US", Coupon: couponField(r.URL.Query().Get("coupon"))}
	s.showCheckout(w, r, &v, http.StatusOK, f, nil, "")
}

func (s *Server) showCheckout(w http.ResponseWriter, r *http.Request, v *visitor, status int, f checkoutForm, errs fieldErrors, msg string) {
	c, err := s.openCart(r.Context(), *v)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if len(c.Items) == 0 {
		http.Redirect(w, r, "/cart", http.StatusSeeOther)
		return
	}
	d, err := s.describe(r.Context(), c)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if err := s.quote(r.Context(), &d, f.Coupon); err != nil {
		s.fail(w, r, err)
		return
	}
	if d.CouponError != "" && errs["coupon"] == "" {
		if errs == nil {
			errs = fieldErrors{}
		}
		errs["coupon"] = "This code " + d.CouponError + "."
	}
	f.Key = "web-" + account.NewToken()
	s.ensureToken(w, r, v)
	s.writePrivate(w, r, status, "checkout", page{Title: "Checkout", NoIndex: true, CSRF: s.csrfToken(v.token), Visitor: v.view(),
		Data: checkoutData{Form: f, Errors: errs, Message: msg, Cart: d}})
}

// placeOrder handles POST /checkout. Bad input, a declined card or short
// stock show the form again with the input kept and the problem beside the
// field; an order goes to its confirmation page.
func (s *Server) placeOrder(w http.ResponseWriter, r *http.Request) {
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
	pf := r.PostForm
	f := checkoutForm{Email: field(pf.Get("email"), 300), Name: field(pf.Get("name"), 300), Line1: field(pf.Get("line1"), 300),
		Line2: field(pf.Get("line2"), 300), City: field(pf.Get("city"), 300), PostalCode: field(pf.Get("postal_code"), 100),
		Country: field(pf.Get("country"), 10), Token: field(pf.Get("token"), 300), Coupon: field(pf.Get("coupon"), 100)}
	c, err := s.openCart(r.Context(), v)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if len(c.Items) == 0 {
		http.Redirect(w, r, "/cart", http.StatusSeeOther)
		return
	}
	req := order.CheckoutRequest{CartID: c.ID, Email: f.Email, CustomerID: v.sess.CustomerID,
		ShippingAddress: order.Address{Name: f.Name, Line1: f.Line1, Line2: f.Line2, City: f.City, PostalCode: f.PostalCode, Country: f.Country},
		Payment:         order.PaymentInput{Token: f.Token}, Coupon: f.Coupon}
	key := field(pf.Get("key"), order.MaxKeyLength)
	if !order.ValidKey(key) {
		key = "web-" + account.NewToken()
	}
	out, err := s.Orders.Checkout(r.Context(), key, req)
	if err != nil {
		s.checkoutFailed(w, r, &v, f, err)
		return
	}
	res := out.Result
	switch res.Outcome {
	case order.Created:
		s.rememberOrder(w, r, res.OrderID)
		http.Redirect(w, r, "/orders/"+res.OrderID+"/confirmation", http.StatusSeeOther)
	case order.Declined:
		msg := strings.TrimSpace(sentence(res.DeclineMessage))
		if msg == "" {
			msg = "Your card was declined."
		}
		if !strings.HasSuffix(msg, ".") {
			msg += "."
		}
		s.showCheckout(w, r, &v, http.StatusPaymentRequired, f,
			fieldErrors{"token": msg + " Nothing was charged; try another card."}, "The payment did not go through: see the card field below.")
	case order.OutOfStock:
		var b strings.Builder
		b.WriteString("Some items sold out while you were checking out; nothing was charged. ")
		for i, sh := range res.Shortages {
			if i > 0 {
				b.WriteString("; ")
			}
			b.WriteString(sh.SKU + ": " + strconv.Itoa(sh.Available) + " left")
		}
		s.showCheckout(w, r, &v, http.StatusConflict, f, nil, b.String()+". Change the quantities in your cart and try again.")
	default:
		s.fail(w, r, errors.New("web: unknown checkout outcome "+string(res.Outcome)))
	}
}

// checkoutFailed shows the form again for errors the shopper can act on.
func (s *Server) checkoutFailed(w http.ResponseWriter, r *http.Request, v *visitor, f checkoutForm, err error) {
	var e *apperr.Error
	if !errors.As(err, &e) || e.Kind == apperr.Internal {
		s.fail(w, r, err)
		return
	}
	switch e.Kind {
	case apperr.NotFound:
		http.Redirect(w, r, "/cart", http.StatusSeeOther)
		return
	case apperr.Unavailable:
		s.Logger.WarnContext(r.Context(), "checkout: payment provider unavailable", "err", err)
	}
	errs := fieldErrors{}
	msg := ""
	for _, fe := range e.Fields {
		if name, ok := formFieldOf(fe.Field); ok {
			errs[name] = "This " + fe.Reason + "."
			continue
		}
		msg = e.Message
	}
	if len(e.Fields) == 0 {
		msg = e.Message
	}
	if msg == "" && len(errs) > 0 {
		msg = "Please correct the fields marked below."
	}
	s.showCheckout(w, r, v, statusOf(err), f, errs, msg)
}
