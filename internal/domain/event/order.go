package event

import "github.com/peakshop/peakshop/internal/domain/money"

// OrderData is the payload of order events: enough for analytics and
// loyalty to act without reading the shop's database. It carries no
// contact details: the e-mail subscriber reads the address from the order,
// so the event stream (kept for days, copied to every consumer and dead
// letter) holds no shopper's address.
type OrderData struct {
	OrderID    string      `json:"order_id"`
	CustomerID string      `json:"customer_id,omitempty"`
	Total      money.Money `json:"total"`
	Units      int         `json:"units,omitempty"`
	// Queued is set on order.placed when payment is left to the fulfillment
	// workflow (queued checkout mode).
	Queued bool `json:"queued,omitempty"`
	// Reason says why an order was cancelled.
	Reason string `json:"reason,omitempty"`
	// Tracking is the carrier's tracking number of a shipped order.
	Tracking  string `json:"tracking,omitempty"`
	Warehouse string `json:"warehouse,omitempty"`
}
