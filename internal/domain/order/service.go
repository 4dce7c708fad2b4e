package order

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/peakshop/peakshop/internal/domain/apperr"
	"github.com/peakshop/peakshop/internal/domain/payment"
	"github.com/peakshop/peakshop/internal/platform/ids"
)

// Service places orders. A checkout is two short transactions around the
// payment call, never one long one, so a slow card network cannot hold the
// database's locks:
//
//  1. BeginCheckout claims the idempotency key, takes the stock and writes the
//     order as PendingPayment, all in one transaction: stock is never held by
//     an order that does not exist.
//  2. The gateway charges the card with an idempotency key derived from the
//     order id, so a retried or recovered charge cannot charge twice.
//  3. FinishCheckout records the payment, or gives the stock back, and stores
//     the answer under the key for replays.
//
// A crash between 1 and 3 leaves a PendingPayment order; Recover settles it by
// asking the gateway what happened.
type Service struct {
	store    Store
	gateway  payment.Gateway
	provider string
	currency string
	secret   []byte
	logger   *slog.Logger
	now      func() time.Time

	chargeTimeout time.Duration
	waitTimeout   time.Duration
	recoverAfter  time.Duration
	queued        bool
	lowStock      int
}

// Config configures a Service.
type Config struct {
	Currency string
	// Provider names the gateway in payment records, e.g. "simulator".
	Provider string
	// Secret keys the HMAC that derives order access tokens.
	Secret []byte
	// ChargeTimeout bounds one payment call (default 10s).
	ChargeTimeout time.Duration
	// WaitTimeout bounds how long a retry waits for the first request with the
	// same key to finish (default 30s).
	WaitTimeout time.Duration
	// RecoverAfter is the age at which a PendingPayment order is presumed
	// orphaned by a crash (default 2m). It must be well above ChargeTimeout.
	RecoverAfter time.Duration
	Now          func() time.Time
	// Queued answers a checkout as soon as stock is reserved and the order
	// written (202), leaving the charge to the fulfillment workflow, which
	// pays at the rate the payment provider allows. For sale peaks.
	Queued bool
	// LowStock is the stock level whose crossing records inventory.low
	// (default 5; negative disables).
	LowStock int
}

// NewService returns a checkout service.
func NewService(store Store, gateway payment.Gateway, cfg Config, logger *slog.Logger) *Service {
	s := &Service{store: store, gateway: gateway, provider: cfg.Provider, currency: cfg.Currency, secret: cfg.Secret,
		logger: logger, now: cfg.Now, chargeTimeout: cfg.ChargeTimeout, waitTimeout: cfg.WaitTimeout, recoverAfter: cfg.RecoverAfter,
		queued: cfg.Queued, lowStock: cfg.LowStock}
	if s.lowStock == 0 {
		s.lowStock = 5
	}
	if s.now == nil {
		s.now = func() time.Time { return time.Now().UTC() }
	}
	if s.chargeTimeout <= 0 {
		s.chargeTimeout = 10 * time.Second
	}
	if s.waitTimeout <= 0 {
		s.waitTimeout = 30 * time.Second
	}
	if s.recoverAfter <= 0 {
		s.recoverAfter = 2 * time.Minute
	}
	return s
}

// Checkout places an order for the cart in req, exactly once per key.
// Declines and shortages are Results, not errors: they are answers a retry
// must get again. Errors are Invalid input, a cart that cannot be checked out,
// or Unavailable when the payment provider failed (the key is then free again).
func (s *Service) Checkout(ctx context.Context, key string, req CheckoutRequest) (Checkout, error) {
	if !ValidKey(key) {
		return Checkout{}, apperr.InvalidFields([]apperr.FieldError{{Field: "Idempotency-Key", Reason: "header is required: 1 to 255 printable ASCII characters"}})
	}
	req.Normalize()
	if err := req.Validate(); err != nil {
		return Checkout{}, err
	}
	hash := req.Hash()
	waitUntil := s.now().Add(s.waitTimeout)
	for {
		begun, err := s.store.BeginCheckout(ctx, Begin{
			IdempotencyKey: key, RequestHash: hash, OrderID: ids.New("ord", s.now()), CartID: req.CartID, CustomerID: req.CustomerID,
			Email: req.Email, Address: req.ShippingAddress, Currency: s.currency, Coupon: req.Coupon, Now: s.now(),
			OutOfStock: func(short []apperr.Shortage) ([]byte, error) {
				return encodeResult(Result{Outcome: OutOfStock, Shortages: short})
			},
			Queued: s.queued, PaymentToken: req.Payment.Token, Accepted: func(o Order) ([]byte, error) { return encodeResult(acceptedResult(o)) },
			LowStock: max(s.lowStock, 0),
		})
		if err != nil {
			return Checkout{}, err
		}
		switch {
		case begun.Order != nil && s.queued:
			return Checkout{Result: acceptedResult(*begun.Order)}, nil
		case begun.Order != nil:
			return s.charge(ctx, *begun.Order, req.Payment.Token)
		case begun.Shortages != nil:
			return Checkout{Result: Result{Outcome: OutOfStock, Shortages: begun.Shortages}}, nil
		}
		res, again, err := s.awaitFirst(ctx, *begun.Existing, hash, waitUntil)
		if err != nil || !again {
			return res, err
		}
	}
}

// awaitFirst follows the request that holds the key until it finishes. again
// is true when the key was released (the first attempt's payment failed), so
// this request should try for itself.
func (s *Service) awaitFirst(ctx context.Context, rec IdempotencyRecord, hash string, until time.Time) (Checkout, bool, error) {
	backoff := 2 * time.Millisecond
	for {
		if rec.RequestHash != hash {
			return Checkout{}, false, apperr.InvalidFields([]apperr.FieldError{{Field: "Idempotency-Key", Reason: "was already used for a different request"}})
		}
		if rec.Done {
			r, err := decodeResult(rec.Result)
			if err != nil {
				return Checkout{}, false, fmt.Errorf("decode recorded result of key: %w", err)
			}
			return Checkout{Result: r, Replayed: true}, false, nil
		}
		if s.now().After(until) {
			return Checkout{}, false, apperr.New(apperr.Conflict, "a request with this Idempotency-Key is still being processed; retry later")
		}
		t := time.NewTimer(backoff)
		select {
		case <-ctx.Done():
			t.Stop()
			return Checkout{}, false, ctx.Err()
		case <-t.C:
		}
		backoff = min(backoff*2, 100*time.Millisecond)
		var err error
		rec, err = s.store.IdempotencyRecord(ctx, rec.Key)
		if apperr.Is(err, apperr.NotFound) {
			return Checkout{}, true, nil
		}
		if err != nil {
			return Checkout{}, false, err
		}
	}
}

func acceptedResult(o Order) Result {
	return Result{Outcome: Accepted, OrderID: o.ID, Status: PaymentQueued, Total: o.Total}
}

// ChargeKey is the gateway idempotency key of an order's charge.
func ChargeKey(orderID string) string { return orderID + ":charge" }

func (s *Service) charge(ctx context.Context, o Order, token string) (Checkout, error) {
	// The shopper may hang up, but once stock is held the order must be
	// settled: the rest runs on a context that outlives the request.
	ctx = context.WithoutCancel(ctx)
	if o.Total.Amount == 0 {
		// Nothing to charge (a free sample): gateways refuse zero amounts.
		return s.settle(ctx, o, Settlement{OrderID: o.ID, Status: Paid}, Result{Outcome: Created, OrderID: o.ID, Status: Paid, Total: o.Total})
	}
	cctx, cancel := context.WithTimeout(ctx, s.chargeTimeout)
	receipt, err := s.gateway.Charge(cctx, payment.ChargeRequest{IdempotencyKey: ChargeKey(o.ID), OrderID: o.ID, Amount: o.Total, Token: token})
	cancel()
	var declined *payment.DeclinedError
	switch {
	case err == nil:
		return s.settlePaid(ctx, o, receipt)
	case errors.As(err, &declined):
		res := Result{Outcome: Declined, OrderID: o.ID, Status: PaymentDeclined, Total: o.Total, DeclineCode: declined.Code, DeclineMessage: declined.Message}
		return s.settle(ctx, o, Settlement{OrderID: o.ID, Status: PaymentDeclined, Reason: declined.Code}, res)
	default:
		s.logger.WarnContext(ctx, "payment failed; releasing stock", "order_id", o.ID, "err", err)
		_, serr := s.settle(ctx, o, Settlement{OrderID: o.ID, Status: PaymentFailed, Reason: "payment provider unavailable"}, Result{})
		if serr != nil {
			return Checkout{}, serr
		}
		return Checkout{}, apperr.Wrap(apperr.Unavailable, "the payment provider is not answering; nothing was charged, please try again", err)
	}
}

func paidSettlement(provider string, o Order, r payment.Receipt) (Settlement, Result) {
	return Settlement{OrderID: o.ID, Status: Paid, Payment: &PaymentRecord{Provider: provider, ChargeID: r.ChargeID, Amount: r.Amount, IdempotencyKey: ChargeKey(o.ID)}},
		Result{Outcome: Created, OrderID: o.ID, Status: Paid, Total: o.Total}
}

func (s *Service) settlePaid(ctx context.Context, o Order, r payment.Receipt) (Checkout, error) {
	st, res := paidSettlement(s.provider, o, r)
	out, err := s.settle(ctx, o, st, res)
	if !apperr.Is(err, apperr.Conflict) {
		return out, err
	}
	// Recovery settled this order while the charge was in flight. If it saw
	// the charge, the order is paid and this is a success; if it did not, it
	// cancelled the order and the money must go back.
	now, gerr := s.store.Order(ctx, o.ID)
	if gerr != nil {
		return Checkout{}, gerr
	}
	if now.Status == Paid {
		return Checkout{Result: res}, nil
	}
	if rerr := s.gateway.Refund(ctx, r.ChargeID, o.ID+":refund"); rerr != nil {
		return Checkout{}, fmt.Errorf("refund charge of order settled elsewhere: %w", rerr)
	}
	return Checkout{}, apperr.Wrap(apperr.Unavailable, "the order timed out; your payment was refunded, please try again", err)
}

// settle ends the order with res recorded under its key (or the key released
// when res is the zero Result).
func (s *Service) settle(ctx context.Context, o Order, st Settlement, res Result) (Checkout, error) {
	st.Now = s.now()
	st.Order = &o
	if res.Outcome != "" {
		b, err := encodeResult(res)
		if err != nil {
			return Checkout{}, err
		}
		st.Result = b
	}
	if err := s.store.FinishCheckout(ctx, st); err != nil {
		return Checkout{}, err
	}
	return Checkout{Result: res}, nil
}

// Recover settles PendingPayment orders older than the recovery age, left by
// a process that died mid-checkout: paid if the gateway captured the charge,
// otherwise cancelled with the stock released and the key freed for a retry.
// It returns how many orders it settled.
func (s *Service) Recover(ctx context.Context) (int, error) {
	pending, err := s.store.PendingOrders(ctx, s.now().Add(-s.recoverAfter), 500)
	if err != nil {
		return 0, err
	}
	settled := 0
	for _, o := range pending {
		r, found, err := s.gateway.Lookup(ctx, ChargeKey(o.ID))
		if err != nil {
			s.logger.WarnContext(ctx, "recovery: payment lookup failed; will retry", "order_id", o.ID, "err", err)
			continue
		}
		if found {
			st, res := paidSettlement(s.provider, o, r)
			_, err = s.settle(ctx, o, st, res)
		} else {
			_, err = s.settle(ctx, o, Settlement{OrderID: o.ID, Status: Cancelled, Reason: "checkout interrupted before payment"}, Result{})
		}
		switch {
		case apperr.Is(err, apperr.Conflict):
			continue // settled by its own request meanwhile
		case err != nil:
			return settled, err
		}
		settled++
		s.logger.InfoContext(ctx, "recovery: settled orphaned order", "order_id", o.ID, "paid", found)
	}
	return settled, nil
}

// AccessToken returns the bearer token that lets a guest read an order. It is
// derived, not stored, so a replayed checkout answers with the same token and
// a database leak reveals none.
func (s *Service) AccessToken(orderID string) string {
	m := hmac.New(sha256.New, s.secret)
	m.Write([]byte("order-access:" + orderID))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// CanRead reports whether token grants access to the order.
func (s *Service) CanRead(orderID, token string) bool {
	return token != "" && hmac.Equal([]byte(token), []byte(s.AccessToken(orderID)))
}

// Timeline lists the steps an order went through, oldest first.
func (s *Service) Timeline(ctx context.Context, id string) ([]Step, error) {
	return s.store.Timeline(ctx, id)
}

// Order returns an order.
func (s *Service) Order(ctx context.Context, id string) (Order, error) { return s.store.Order(ctx, id) }

// Orders lists orders for the admin.
func (s *Service) Orders(ctx context.Context, q Query) ([]Order, error) {
	return s.store.ListOrders(ctx, q)
}
