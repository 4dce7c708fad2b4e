package web

import (
	"net/http"
	"strings"
	"time"

	"github.com/peakshop/peakshop/internal/platform/ids"
)

// A guest reads an order with its access token, which the browser keeps in
// a cookie scoped to /orders: the few most recent orders, "id.token" each.
const (
	ordersCookie   = "ps_orders"
	maxRemembered  = 5
	ordersCookieTT = 90 * 24 * time.Hour
)

// rememberOrder adds an order's access token to the browser's cookie.
func (s *Server) rememberOrder(w http.ResponseWriter, r *http.Request, orderID string) {
	entries := []string{orderID + "." + s.Orders.AccessToken(orderID)}
	if c, err := r.Cookie(ordersCookie); err == nil {
		for _, e := range strings.Split(c.Value, "~") {
			id, _, _ := strings.Cut(e, ".")
			if id != orderID && ids.Valid("ord", id) && len(entries) < maxRemembered {
				entries = append(entries, e)
			}
		}
	}
	http.SetCookie(w, &http.Cookie{Name: ordersCookie, Value: strings.Join(entries, "~"), Path: "/orders",
		MaxAge: int(ordersCookieTT / time.Second), HttpOnly: true, Secure: s.secure(r), SameSite: http.SameSiteLaxMode})
}

// orderToken returns the access token the browser holds for an order, or "".
func orderToken(r *http.Request, orderID string) string {
	c, err := r.Cookie(ordersCookie)
	if err != nil {
		return ""
	}
	for _, e := range strings.Split(c.Value, "~") {
		if id, tok, ok := strings.Cut(e, "."); ok && id == orderID {
			return tok
		}
	}
	return ""
}
