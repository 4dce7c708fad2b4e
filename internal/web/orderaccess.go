package web

import (
	"net/http"

	"github.com/peakshop/peakshop/internal/domain/order"
	"github.com/peakshop/peakshop/internal/platform/ids"
)

// readableOrder loads the order in the path if the visitor may see it: with
// the order's access token from the cookie, or signed in as the customer who
// placed it. Anyone else gets the 404 page, as for an order that does not
// exist, so order ids cannot be probed. It answers the request itself when
// it returns false.
func (s *Server) readableOrder(w http.ResponseWriter, r *http.Request) (order.Order, visitor, bool) {
	id := r.PathValue("id")
	if !ids.Valid("ord", id) {
		s.privateNotFound(w, r)
		return order.Order{}, visitor{}, false
	}
	v, err := s.visitor(r)
	if err != nil {
		s.fail(w, r, err)
		return order.Order{}, visitor{}, false
	}
	byToken := s.Orders.CanRead(id, orderToken(r, id))
	if !byToken && !v.sess.SignedIn() {
		s.privateNotFound(w, r)
		return order.Order{}, visitor{}, false
	}
	o, err := s.Orders.Order(r.Context(), id)
	if err != nil {
		s.fail(w, r, err)
		return order.Order{}, visitor{}, false
	}
	if !byToken && o.CustomerID != v.sess.CustomerID {
		s.privateNotFound(w, r)
		return order.Order{}, visitor{}, false
	}
	return o, v, true
}
