package money

import (
	"errors"
	"math"
	"testing"
)

func TestArithmetic(t *testing.T) {
	a := Money{Amount: 1999, Currency: "USD"}
	if got, _ := a.Times(3); got.Amount != 5997 {
		t.Fatalf("Times: %v", got)
	}
	if got, _ := a.Add(Money{Amount: 1, Currency: "USD"}); got.String() != "20.00 USD" {
		t.Fatalf("Add: %v", got)
	}
	if _, err := a.Add(Money{Currency: "EUR"}); !errors.Is(err, ErrCurrencyMismatch) {
		t.Fatalf("mismatch: %v", err)
	}
	if _, err := (Money{Amount: math.MaxInt64 / 2, Currency: "USD"}).Times(3); !errors.Is(err, ErrOverflow) {
		t.Fatalf("overflow: %v", err)
	}
	if _, err := (Money{Amount: math.MaxInt64, Currency: "USD"}).Add(Money{Amount: 1, Currency: "USD"}); !errors.Is(err, ErrOverflow) {
		t.Fatalf("add overflow: %v", err)
	}
	if (Money{Amount: -5, Currency: "USD"}).String() != "-0.05 USD" {
		t.Fatal("negative formatting")
	}
	if !ValidCurrency("USD") || ValidCurrency("usd") || ValidCurrency("US") {
		t.Fatal("ValidCurrency")
	}
}
