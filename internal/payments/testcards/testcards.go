// Package testcards lists the test card tokens the shop's payment gateways
// must agree on: Stripe's documented test PaymentMethods (pm_card_...) and
// the older card tokens (tok_...) with the same meanings. Each gateway's
// tests run the one list, so a client that works on the simulator works
// unchanged with --payments=stripe. It is imported by tests only.
package testcards

// Card is one test token and the decline code it stands for ("" pays).
type Card struct {
	Token   string
	Decline string
}

// All returns the paying and declining cards, each in both forms, by
// Stripe's names (https://docs.stripe.com/testing#cards and
// #declined-payments).
func All() []Card {
	meanings := []struct{ name, decline string }{
		{"visa", ""},
		{"visa_debit", ""},
		{"mastercard", ""},
		{"mastercard_debit", ""},
		{"mastercard_prepaid", ""},
		{"amex", ""},
		{"discover", ""},
		{"diners", ""},
		{"jcb", ""},
		{"unionpay", ""},
		{"chargeDeclined", "card_declined"},
		{"chargeDeclinedInsufficientFunds", "insufficient_funds"},
		{"chargeDeclinedExpiredCard", "expired_card"},
		{"chargeDeclinedIncorrectCvc", "incorrect_cvc"},
		{"chargeDeclinedFraudulent", "fraudulent"},
	}
	cards := make([]Card, 0, 2*len(meanings))
	for _, m := range meanings {
		cards = append(cards, Card{"pm_card_" + m.name, m.decline}, Card{"tok_" + m.name, m.decline})
	}
	return cards
}
