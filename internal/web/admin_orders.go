package web

import (
	"net/http"
	"net/url"

	"github.com/peakshop/peakshop/internal/domain/order"
	"github.com/peakshop/peakshop/internal/platform/ids"
)

// adminStatuses are the statuses the order list filters by, in the order
// an order moves through them.
func adminStatuses() []order.Status {
	return []order.Status{order.PendingPayment, order.PaymentQueued, order.Paid, order.Allocated, order.Shipped,
		order.PaymentDeclined, order.PaymentFailed, order.Cancelled}
}

type adminOrdersData struct {
	Status   string
	Statuses []order.Status
	Orders   []order.Order
	NextURL  string
}

// adminOrders serves GET /admin/orders?status=&before=, newest first.
func (s *Server) adminOrders(w http.ResponseWriter, r *http.Request, a adminRequest) {
	q := r.URL.Query()
	d := adminOrdersData{Statuses: adminStatuses()}
	query := order.Query{Limit: adminPageSize + 1}
	for _, st := range d.Statuses {
		if q.Get("status") == string(st) {
			query.Status, d.Status = st, string(st)
		}
	}
	if b := q.Get("before"); ids.Valid("ord", b) {
		query.Before = b
	}
	orders, err := s.Orders.Orders(r.Context(), query)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	d.Orders = orders
	if len(orders) > adminPageSize {
		d.Orders = orders[:adminPageSize]
		d.NextURL = "/admin/orders?" + url.Values{"status": {d.Status}, "before": {orders[adminPageSize-1].ID}}.Encode()
	}
	s.writePrivate(w, r, http.StatusOK, "admin_orders", a.page(s, "Orders", d))
}

// adminOrder serves GET /admin/orders/{id}: everything about one order.
func (s *Server) adminOrder(w http.ResponseWriter, r *http.Request, a adminRequest) {
	id := r.PathValue("id")
	if !ids.Valid("ord", id) {
		s.adminNotFound(w, r)
		return
	}
	o, err := s.Orders.Order(r.Context(), id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.writePrivate(w, r, http.StatusOK, "admin_order", a.page(s, "Order "+o.ID, o))
}
