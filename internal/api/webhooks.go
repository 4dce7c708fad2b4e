package api

import (
	"errors"
	"io"
	"net/http"

	"github.com/peakshop/peakshop/internal/domain/apperr"
	"github.com/peakshop/peakshop/internal/domain/order"
	"github.com/peakshop/peakshop/internal/domain/payment"
	"github.com/peakshop/peakshop/internal/platform/problem"
)

// maxWebhookBody bounds a webhook delivery. Stripe's events are a few KiB;
// the bound keeps a flood of big bodies from costing an HMAC each.
const maxWebhookBody = 64 << 10

// webhookReceipt is the answer to a delivery the shop accepted.
type webhookReceipt struct {
	Received bool               `json:"received"`
	Outcome  order.EventOutcome `json:"outcome"`
}

// stripeWebhook receives Stripe's notifications. The signature is checked
// before anything else is read from the body, and a bad one is a 400 with
// nothing written. A verified event is recorded on its order's timeline
// once per event id (see order.Service.RecordPaymentEvent for why it
// changes nothing else); any 2xx tells Stripe to stop delivering it, so
// only "not now" answers (503, 500) are errors. Without a signing secret
// the endpoint does not exist: unsigned events are never accepted.
func (s *Server) stripeWebhook(w http.ResponseWriter, r *http.Request) {
	v := s.StripeWebhooks
	if v == nil {
		writeError(w, r, notFound("Stripe webhooks are not configured on this shop"), s.Logger)
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxWebhookBody))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			problem.Write(w, problem.New(http.StatusRequestEntityTooLarge, "the body is larger than a webhook delivery can be"))
			return
		}
		problem.Write(w, problem.New(http.StatusBadRequest, "the body could not be read"))
		return
	}
	ev, err := v.VerifyEvent(r.Context(), body, r.Header.Get("Stripe-Signature"))
	switch {
	case errors.Is(err, payment.ErrBadSignature):
		s.Logger.DebugContext(r.Context(), "webhook refused: bad signature", "provider", v.Provider(), "err", err)
		problem.Write(w, problem.New(http.StatusBadRequest, "the Stripe-Signature header is missing, stale or does not match the body"))
		return
	case err != nil:
		writeError(w, r, apperr.Wrap(apperr.Unavailable, "the payment provider is not answering; deliver again later", err), s.Logger)
		return
	}
	out, err := s.Orders.RecordPaymentEvent(r.Context(), v.Provider(), ev)
	if err != nil {
		writeError(w, r, err, s.Logger)
		return
	}
	s.Logger.InfoContext(r.Context(), "webhook", "provider", v.Provider(), "event_id", ev.ID, "type", ev.Type, "order_id", ev.OrderID, "outcome", out)
	writeJSON(w, http.StatusOK, webhookReceipt{Received: true, Outcome: out})
}
