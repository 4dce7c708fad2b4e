package event

import "github.com/peakshop/peakshop/internal/domain/money"

// OrderData is the payload of order events: enough for subscribers (e-mail,
// analytics, loyalty) to act without reading the shop's database.
type OrderData struct {
	OrderID    string      `json:"order_id"`
	Email      string      `json:"email,omitempty"`
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
