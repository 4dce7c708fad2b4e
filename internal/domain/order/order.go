// Package order owns orders and the checkout that creates them: the request a
// shopper sends, its validation, idempotent replay, and the service that moves
// stock, order and payment so that nothing is oversold, lost or charged twice.
package order

import (
	"context"
	"time"

	"github.com/peakshop/peakshop/internal/domain/apperr"
	"github.com/peakshop/peakshop/internal/domain/money"
)

// Status of an order.
type Status string

// Order statuses. PendingPayment holds stock while the card is charged;
// PaymentQueued holds it while a queued checkout waits for the fulfillment
// workflow to charge. Paid orders move on to Allocated and end Shipped or
// Cancelled (with a reason); a synchronous checkout may also end
// PaymentDeclined or PaymentFailed.
const (
	PendingPayment  Status = "pending_payment"
	PaymentQueued   Status = "payment_queued"
	Paid            Status = "paid"
	Allocated       Status = "allocated"
	Shipped         Status = "shipped"
	PaymentDeclined Status = "payment_declined"
	PaymentFailed   Status = "payment_failed"
	Cancelled       Status = "cancelled"
)

// HoldsStock reports whether an order in status s keeps its reserved stock
// (a shipped order's stock has left the warehouse and never comes back).
func (s Status) HoldsStock() bool {
	switch s {
	case PendingPayment, PaymentQueued, Paid, Allocated, Shipped:
		return true
	}
	return false
}

// Address is where an order ships.
type Address struct {
	Name       string `json:"name"`
	Line1      string `json:"line1"`
	Line2      string `json:"line2,omitempty"`
	City       string `json:"city"`
	PostalCode string `json:"postal_code"`
	Country    string `json:"country"`
}

// Line is one ordered SKU at the price it was sold for.
type Line struct {
	SKU       string      `json:"sku"`
	Name      string      `json:"name"`
	Quantity  int         `json:"quantity"`
	UnitPrice money.Money `json:"unit_price"`
	// Discount is what promotions and the coupon took off the line (zero
	// and left out when nothing was); LineTotal is after it.
	Discount  money.Money `json:"discount,omitzero"`
	LineTotal money.Money `json:"line_total"`
}

// Order is a placed order.
type Order struct {
	ID              string      `json:"id"`
	Status          Status      `json:"status"`
	Email           string      `json:"-"`
	ShippingAddress Address     `json:"-"`
	Lines           []Line      `json:"lines"`
	Total           money.Money `json:"total"`
	CartID          string      `json:"-"`
	CustomerID      string      `json:"-"` // the account that placed it; empty for a guest
	Reason          string      `json:"reason,omitempty"`
	CreatedAt       time.Time   `json:"created_at"`
	UpdatedAt       time.Time   `json:"updated_at"`
}

// Total sums priced lines in the shop currency and fills each line total.
func Total(lines []Line, currency string) (money.Money, error) {
	total := money.Zero(currency)
	for i := range lines {
		lt, err := lines[i].UnitPrice.Times(lines[i].Quantity)
		if err != nil {
			return money.Money{}, err
		}
		lines[i].LineTotal = lt
		if total, err = total.Add(lt); err != nil {
			return money.Money{}, err
		}
	}
	return total, nil
}

// Begin is what a checkout asks the store to do in one transaction.
type Begin struct {
	IdempotencyKey string
	RequestHash    string
	OrderID        string
	CartID         string
	CustomerID     string // the signed-in customer, or empty for a guest
	Email          string
	Address        Address
	Currency       string
	// Coupon is the normalized coupon code the shopper asked for, or empty.
	// An unusable one fails the checkout with apperr Invalid on field
	// "coupon", and nothing is written.
	Coupon string
	Now    time.Time
	// OutOfStock renders the result recorded under the key when stock is short,
	// so a retry with the same key gets the same 409.
	OutOfStock func([]apperr.Shortage) ([]byte, error)
	// Queued leaves the charge to the fulfillment workflow: the order is
	// written as PaymentQueued with PaymentToken kept for that workflow, and
	// the key is marked done at once with Accepted's result.
	Queued       bool
	PaymentToken string
	Accepted     func(o Order) ([]byte, error)
	// LowStock is the level under which taking stock records an
	// inventory.low event (when the level is crossed); 0 disables it.
	LowStock int
}

// Begun is the store's answer to Begin; exactly one field is set.
type Begun struct {
	// Order is the new order in PendingPayment, its stock reserved and its
	// cart checked out.
	Order *Order
	// Existing is the record already under the key: nothing was written.
	Existing *IdempotencyRecord
	// Shortages lists the short SKUs: no stock moved, no order exists, and the
	// key now holds Begin.OutOfStock's result.
	Shortages []apperr.Shortage
}

// IdempotencyRecord is what the store keeps under an Idempotency-Key.
type IdempotencyRecord struct {
	Key         string
	RequestHash string
	OrderID     string
	Done        bool   // false while the first request is still running
	Result      []byte // the encoded Result once Done
	CreatedAt   time.Time
}

// PaymentRecord is a captured charge as the shop records it.
type PaymentRecord struct {
	Provider       string
	ChargeID       string
	Amount         money.Money
	IdempotencyKey string
}

// Settlement ends a pending order.
type Settlement struct {
	OrderID string
	Status  Status // Paid, PaymentDeclined, PaymentFailed or Cancelled
	Reason  string
	Payment *PaymentRecord // set when Status is Paid
	// Result updates the idempotency key that created the order: with Result
	// set the key is marked done with it; with Result nil the key is deleted,
	// so a retry with it starts afresh.
	Result []byte
	// KeepKey leaves the idempotency key as it is (a queued checkout's key
	// already holds its 202 answer), whatever Result says.
	KeepKey bool
	Now     time.Time
	// Order, when set, is the order as the caller holds it; its email,
	// customer and total never change after checkout, so a store may write
	// the settlement's event from it instead of reading them back.
	Order *Order
}

// Query filters the admin's order list, newest first. Before is the id of the
// last order of the previous page.
type Query struct {
	Status Status
	Limit  int
	Before string
}

// Store persists orders.
type Store interface {
	// BeginCheckout claims the idempotency key, reserves stock for every cart
	// line and creates the order, all or nothing. It returns apperr NotFound
	// for an unknown cart, Conflict for a cart that is not open and Invalid for
	// an empty one, and then writes nothing.
	BeginCheckout(ctx context.Context, b Begin) (Begun, error)
	// FinishCheckout settles an order that is still PendingPayment: records
	// the payment, or releases its stock and reopens its cart; and updates the
	// idempotency key. It returns apperr Conflict when the order was settled
	// already, and then writes nothing.
	FinishCheckout(ctx context.Context, s Settlement) error
	IdempotencyRecord(ctx context.Context, key string) (IdempotencyRecord, error)
	Order(ctx context.Context, id string) (Order, error)
	ListOrders(ctx context.Context, q Query) ([]Order, error)
	// PendingOrders lists orders still PendingPayment created before the time.
	PendingOrders(ctx context.Context, createdBefore time.Time, limit int) ([]Order, error)
	// PruneIdempotencyKeys deletes finished keys older than the time.
	PruneIdempotencyKeys(ctx context.Context, before time.Time) (int, error)
	// Timeline lists the steps an order went through, oldest first.
	Timeline(ctx context.Context, id string) ([]Step, error)
	// RecordPaymentEvent adds a provider notification to its order's
	// timeline unless one with its (provider, event id) is there; fresh
	// reports whether it was added. It returns apperr NotFound for an
	// unknown order and then writes nothing.
	RecordPaymentEvent(ctx context.Context, e PaymentEvent) (fresh bool, err error)
}

// Step is one entry of an order's timeline: placed, paid, allocated,
// shipped, notified, refunded, cancelled, and payment_event for each
// provider notification (see RecordPaymentEvent).
type Step struct {
	Name   string    `json:"step"`
	At     time.Time `json:"at"`
	Detail string    `json:"detail,omitempty"`
}
