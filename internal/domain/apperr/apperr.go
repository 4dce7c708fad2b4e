// Package apperr is the error vocabulary of the shop: a small set of kinds plus
// a message that is safe to show a client. Transports map kinds to statuses in
// exactly one table; internal error text never reaches a client.
package apperr

import (
	"errors"
	"fmt"
)

// Kind classifies an error by what the caller can do about it.
type Kind int

// The kinds. Internal is the zero value so that an unclassified error is never
// mistaken for the caller's fault.
const (
	Internal Kind = iota
	NotFound
	Conflict
	Invalid
	OutOfStock
	PaymentDeclined
	Unauthorized
	Unavailable
)

var kindNames = [...]string{"internal", "not_found", "conflict", "invalid", "out_of_stock", "payment_declined", "unauthorized", "unavailable"}

func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return fmt.Sprintf("kind(%d)", int(k))
}

// FieldError names one invalid input field and why, in words for the client.
type FieldError struct {
	Field  string `json:"field"`
	Reason string `json:"reason"`
}

// Shortage says that a SKU has fewer units than were asked for.
type Shortage struct {
	SKU       string `json:"sku"`
	Requested int    `json:"requested"`
	Available int    `json:"available"`
}

// Error is a classified error. Message is safe for clients; Err, if set, is the
// internal cause and is only logged.
type Error struct {
	Kind      Kind
	Message   string
	Fields    []FieldError
	Shortages []Shortage
	Err       error
}

func (e *Error) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("%s: %s: %v", e.Kind, e.Message, e.Err)
	}
	return fmt.Sprintf("%s: %s", e.Kind, e.Message)
}

func (e *Error) Unwrap() error { return e.Err }

// New returns an error of kind with a client-safe message.
func New(kind Kind, message string) *Error { return &Error{Kind: kind, Message: message} }

// Errorf is New with formatting. The formatted text reaches clients: never
// format internal details into it.
func Errorf(kind Kind, format string, args ...any) *Error {
	return &Error{Kind: kind, Message: fmt.Sprintf(format, args...)}
}

// Wrap classifies an internal cause.
func Wrap(kind Kind, message string, cause error) *Error {
	return &Error{Kind: kind, Message: message, Err: cause}
}

// InvalidFields returns an Invalid error listing the bad fields, or nil when
// there are none, so validators can end with `return apperr.InvalidFields(errs)`.
func InvalidFields(fields []FieldError) error {
	if len(fields) == 0 {
		return nil
	}
	return &Error{Kind: Invalid, Message: "the request has invalid fields", Fields: fields}
}

// KindOf returns the kind of the first *Error in err's chain, or Internal.
func KindOf(err error) Kind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return Internal
}

// Is reports whether err is classified as kind.
func Is(err error, kind Kind) bool { return err != nil && KindOf(err) == kind }
