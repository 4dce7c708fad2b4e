package web

import (
	"net/http"

	"github.com/peakshop/peakshop/internal/domain/order"
)

// historyLimit is how many recent orders the account page lists.
const historyLimit = 50

type accountData struct {
	Name   string
	Email  string
	Orders []order.Order
}

// accountPage serves /account: who is signed in, sign out, order history.
// Guests are sent to sign in and come back here.
func (s *Server) accountPage(w http.ResponseWriter, r *http.Request) {
	v, err := s.visitor(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if !v.sess.SignedIn() {
		http.Redirect(w, r, "/account/signin?next=/account", http.StatusSeeOther)
		return
	}
	orders, err := s.Accounts.OrderHistory(r.Context(), v.sess.CustomerID, historyLimit)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.writePrivate(w, r, http.StatusOK, "account", page{Title: "Your account", NoIndex: true, CSRF: s.csrfToken(v.token),
		Visitor: v.view(), Data: accountData{Name: v.sess.Name, Email: v.sess.Email, Orders: orders}})
}
