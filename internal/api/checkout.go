package api

import (
	"net/http"

	"github.com/peakshop/peakshop/internal/domain/apperr"
	"github.com/peakshop/peakshop/internal/domain/money"
	"github.com/peakshop/peakshop/internal/domain/order"
	"github.com/peakshop/peakshop/internal/platform/jsonbody"
	"github.com/peakshop/peakshop/internal/platform/problem"
)

type checkoutCreated struct {
	OrderID     string       `json:"order_id"`
	Status      order.Status `json:"status"`
	Total       money.Money  `json:"total"`
	AccessToken string       `json:"access_token"`
}

func (s *Server) checkout(w http.ResponseWriter, r *http.Request) {
	var req order.CheckoutRequest
	if err := jsonbody.Decode(w, r, &req, 8<<10); err != nil {
		writeError(w, r, err, s.Logger)
		return
	}
	out, err := s.Orders.Checkout(r.Context(), r.Header.Get("Idempotency-Key"), req)
	if err != nil {
		s.Metrics.checkoutError(r.Context())
		writeError(w, r, err, s.Logger)
		return
	}
	s.Metrics.checkout(r.Context(), out)
	if out.Replayed {
		w.Header().Set("Idempotent-Replayed", "true")
	}
	s.writeResult(w, out.Result)
}

// writeResult renders a recorded checkout result. It is a pure function of
// the result, which is what makes a replay identical to the first answer.
func (s *Server) writeResult(w http.ResponseWriter, res order.Result) {
	switch res.Outcome {
	case order.Created:
		writeJSON(w, http.StatusCreated, checkoutCreated{OrderID: res.OrderID, Status: res.Status, Total: res.Total, AccessToken: s.Orders.AccessToken(res.OrderID)})
	case order.Accepted:
		// Queued mode: stock is reserved and the order will be charged by
		// the fulfillment workflow; GET /orders/{id} follows it.
		writeJSON(w, http.StatusAccepted, checkoutCreated{OrderID: res.OrderID, Status: res.Status, Total: res.Total, AccessToken: s.Orders.AccessToken(res.OrderID)})
	case order.OutOfStock:
		p := problem.New(http.StatusConflict, "some items in the cart are not in stock in the quantity asked for; nothing was charged")
		p.Type = problemType[apperr.OutOfStock]
		p.Extensions = map[string]any{"shortages": res.Shortages}
		problem.Write(w, p)
	case order.Declined:
		p := problem.New(http.StatusPaymentRequired, "the card was declined: "+res.DeclineMessage)
		p.Type = problemType[apperr.PaymentDeclined]
		p.Extensions = map[string]any{"order_id": res.OrderID, "decline_code": res.DeclineCode}
		problem.Write(w, p)
	default:
		problem.Write(w, problem.New(http.StatusInternalServerError, "unknown checkout outcome"))
	}
}
