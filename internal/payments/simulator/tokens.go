package simulator

import (
	"strings"

	"github.com/peakshop/peakshop/internal/domain/payment"
)

// Decline codes, as Stripe names them.
const (
	codeCardDeclined      = "card_declined"
	codeInsufficientFunds = "insufficient_funds"
	codeExpiredCard       = "expired_card"
	codeIncorrectCVC      = "incorrect_cvc"
	codeFraudulent        = "fraudulent"
	codeInvalidToken      = "invalid_token"
)

// declineFor returns the decline a Stripe test token stands for, or nil for
// a token that pays. Tokens nobody issued are declined, as a real gateway
// refuses a token it does not know.
//
// Stripe's test PaymentMethods (pm_card_visa, pm_card_chargeDeclined, ...)
// mean what the card tokens of the same name mean: clients send the pm_card
// form, which the Stripe gateway takes as it is, so a shop switched to
// --payments=stripe keeps working; tok_ stays accepted for older clients.
func declineFor(token string) *payment.DeclinedError {
	if name, ok := strings.CutPrefix(token, "pm_card_"); ok {
		token = "tok_" + name
	}
	switch token {
	case "tok_visa", "tok_visa_debit", "tok_mastercard", "tok_mastercard_debit",
		"tok_mastercard_prepaid", "tok_amex", "tok_discover", "tok_diners",
		"tok_jcb", "tok_unionpay":
		return nil
	case "tok_chargeDeclined":
		return decline(codeCardDeclined)
	case "tok_chargeDeclinedInsufficientFunds":
		return decline(codeInsufficientFunds)
	case "tok_chargeDeclinedExpiredCard":
		return decline(codeExpiredCard)
	case "tok_chargeDeclinedIncorrectCvc":
		return decline(codeIncorrectCVC)
	case "tok_chargeDeclinedFraudulent":
		return decline(codeFraudulent)
	default:
		return decline(codeInvalidToken)
	}
}

// decline builds a DeclinedError whose message the shopper may read.
func decline(code string) *payment.DeclinedError {
	var msg string
	switch code {
	case codeInsufficientFunds:
		msg = "Your card has insufficient funds."
	case codeExpiredCard:
		msg = "Your card has expired."
	case codeIncorrectCVC:
		msg = "Your card's security code is incorrect."
	case codeInvalidToken:
		msg = "Your payment details could not be used. Please check them and try again."
	default:
		// Fraud suspicion is never revealed: telling a fraudster which check
		// tripped helps them, so "fraudulent" reads like any other decline.
		msg = "Your card was declined."
	}
	return &payment.DeclinedError{Code: code, Message: msg}
}
