// Package money holds amounts of money as integer minor units plus an ISO 4217
// currency code. Floats never touch prices: a cent lost to rounding at Black
// Friday volume is real money.
package money

import (
	"errors"
	"fmt"
	"math"
)

// Money is an amount in minor units (cents for USD) of one currency.
type Money struct {
	Amount   int64  `json:"amount"`
	Currency string `json:"currency"`
}

// ErrCurrencyMismatch is returned when two amounts of different currencies meet.
var ErrCurrencyMismatch = errors.New("money: currency mismatch")

// ErrOverflow is returned when arithmetic would leave the int64 range.
var ErrOverflow = errors.New("money: overflow")

// Zero returns zero of the currency.
func Zero(currency string) Money { return Money{Currency: currency} }

// ValidCurrency reports whether code looks like an ISO 4217 code (three upper-case letters).
func ValidCurrency(code string) bool {
	if len(code) != 3 {
		return false
	}
	for i := 0; i < 3; i++ {
		if code[i] < 'A' || code[i] > 'Z' {
			return false
		}
	}
	return true
}

// Add returns m+o; both must share a currency.
func (m Money) Add(o Money) (Money, error) {
	if m.Currency != o.Currency {
		return Money{}, fmt.Errorf("%w: %s and %s", ErrCurrencyMismatch, m.Currency, o.Currency)
	}
	if (o.Amount > 0 && m.Amount > math.MaxInt64-o.Amount) || (o.Amount < 0 && m.Amount < math.MinInt64-o.Amount) {
		return Money{}, ErrOverflow
	}
	return Money{Amount: m.Amount + o.Amount, Currency: m.Currency}, nil
}

// Times returns m multiplied by a non-negative quantity.
func (m Money) Times(quantity int) (Money, error) {
	if quantity < 0 {
		return Money{}, fmt.Errorf("money: negative quantity %d", quantity)
	}
	if quantity != 0 && m.Amount > math.MaxInt64/int64(quantity) {
		return Money{}, ErrOverflow
	}
	return Money{Amount: m.Amount * int64(quantity), Currency: m.Currency}, nil
}

// String formats the amount for logs and humans, e.g. "19.99 USD". Every
// currency is printed with two decimals; display code that needs JPY's zero
// decimals formats on its own.
func (m Money) String() string {
	sign := ""
	a := m.Amount
	if a < 0 {
		sign, a = "-", -a
	}
	return fmt.Sprintf("%s%d.%02d %s", sign, a/100, a%100, m.Currency)
}
