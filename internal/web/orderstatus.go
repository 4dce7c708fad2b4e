package web

import (
	"net/http"

	"github.com/peakshop/peakshop/internal/domain/order"
)

type orderStatusData struct {
	Order order.Order
	// Stream is the server-sent events URL the page subscribes to.
	Stream string
}

// orderStatus serves /orders/{id}: the order and its status, which updates
// itself through server-sent events (htmx's sse extension); without
// JavaScript the page reloads every 20 seconds instead.
func (s *Server) orderStatus(w http.ResponseWriter, r *http.Request) {
	o, v, ok := s.readableOrder(w, r)
	if !ok {
		return
	}
	s.writePrivate(w, r, http.StatusOK, "order", page{Title: "Order " + o.ID, NoIndex: true, SSE: true, Refresh: 20,
		Visitor: v.view(), Data: orderStatusData{Order: o, Stream: "/orders/" + o.ID + "/events"}})
}
