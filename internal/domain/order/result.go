package order

import (
	"encoding/json"

	"github.com/peakshop/peakshop/internal/domain/apperr"
	"github.com/peakshop/peakshop/internal/domain/money"
)

// Outcome is how a checkout ended, as recorded under its idempotency key.
type Outcome string

// Outcomes of a checkout that a retry with the same key gets again.
const (
	Created    Outcome = "created"
	Declined   Outcome = "declined"
	OutOfStock Outcome = "out_of_stock"
	// Accepted is a queued checkout: stock is reserved and the order will be
	// charged by the fulfillment workflow.
	Accepted Outcome = "accepted"
)

// Result is the recorded answer to a checkout. Transports render it; because
// rendering is a pure function of Result (the access token is derived from
// the order id), a replay is byte-for-byte the first answer.
type Result struct {
	Outcome        Outcome           `json:"outcome"`
	OrderID        string            `json:"order_id,omitempty"`
	Status         Status            `json:"status,omitempty"`
	Total          money.Money       `json:"total"`
	Shortages      []apperr.Shortage `json:"shortages,omitempty"`
	DeclineCode    string            `json:"decline_code,omitempty"`
	DeclineMessage string            `json:"decline_message,omitempty"`
}

// Checkout is a Result plus whether it was replayed from an earlier request.
type Checkout struct {
	Result   Result
	Replayed bool
}

func encodeResult(r Result) ([]byte, error) { return json.Marshal(r) }

func decodeResult(b []byte) (Result, error) {
	var r Result
	err := json.Unmarshal(b, &r)
	return r, err
}
