package api

import (
	"net/http"
	"time"

	"github.com/peakshop/peakshop/internal/domain/money"
	"github.com/peakshop/peakshop/internal/domain/order"
	"github.com/peakshop/peakshop/internal/platform/ids"
)

// orderView is an order as its owner (or the admin) sees it.
type orderView struct {
	ID              string        `json:"id"`
	Status          order.Status  `json:"status"`
	Reason          string        `json:"reason,omitempty"`
	Email           string        `json:"email"`
	ShippingAddress order.Address `json:"shipping_address"`
	Lines           []order.Line  `json:"lines"`
	Total           money.Money   `json:"total"`
	CreatedAt       time.Time     `json:"created_at"`
	UpdatedAt       time.Time     `json:"updated_at"`
	// Timeline lists the steps the order went through (owner's view only).
	Timeline []order.Step `json:"timeline,omitempty"`
}

func viewOf(o order.Order) orderView {
	if o.Lines == nil {
		o.Lines = []order.Line{}
	}
	return orderView{ID: o.ID, Status: o.Status, Reason: o.Reason, Email: o.Email, ShippingAddress: o.ShippingAddress,
		Lines: o.Lines, Total: o.Total, CreatedAt: o.CreatedAt, UpdatedAt: o.UpdatedAt}
}

// getOrder answers 404 to anyone without the order's access token, the same
// as for an order that does not exist, so ids cannot be probed.
func (s *Server) getOrder(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	if !ids.Valid("ord", id) || !s.Orders.CanRead(id, bearer(r)) {
		writeError(w, r, notFound("no such order"), s.Logger)
		return
	}
	o, err := s.Orders.Order(r.Context(), id)
	if err != nil {
		writeError(w, r, err, s.Logger)
		return
	}
	v := viewOf(o)
	if v.Timeline, err = s.Orders.Timeline(r.Context(), id); err != nil {
		writeError(w, r, err, s.Logger)
		return
	}
	writeJSON(w, http.StatusOK, v)
}
