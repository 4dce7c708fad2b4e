package app

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"

	"github.com/peakshop/peakshop/internal/domain/payment"
	"github.com/peakshop/peakshop/internal/payments/simulator"
	"github.com/peakshop/peakshop/internal/payments/stripe"
)

// PaymentsConfig chooses and configures the payment gateway.
type PaymentsConfig struct {
	// Provider is "simulator" (the default: the built-in simulated card
	// network) or "stripe".
	Provider string
	// StripeAPIURL overrides Stripe's API address (stripe-mock in tests);
	// empty is Stripe's own.
	StripeAPIURL string
	// StripeSecretKey (sk_...) and StripeWebhookSecret (whsec_...) are
	// secrets: they come from the environment only (PaymentSecretsFromEnv),
	// never from flags, which show up in ps. They are never logged.
	StripeSecretKey     string
	StripeWebhookSecret string
}

// Environment variables of the payment secrets.
const (
	envStripeSecretKey     = "PEAKSHOP_STRIPE_SECRET_KEY"
	envStripeWebhookSecret = "PEAKSHOP_STRIPE_WEBHOOK_SECRET"
)

// provider is the gateway's name in payment records.
func (c PaymentsConfig) provider() string {
	if c.Provider == "" {
		return "simulator"
	}
	return c.Provider
}

// PaymentsFlags registers --payments and --stripe-api-url (serve and
// worker) and reads the Stripe secrets from the environment, the only place
// they may come from.
func (c *Config) PaymentsFlags(fs *flag.FlagSet) {
	fs.Func("payments", "payment gateway: simulator (built in) or stripe (secret key from "+envStripeSecretKey+
		", webhook signing secret from "+envStripeWebhookSecret+"; environment only) (default simulator)", func(v string) error {
		switch v {
		case "", "simulator", "stripe":
			c.Payments.Provider = v
			return nil
		}
		return errors.New("want simulator or stripe")
	})
	fs.StringVar(&c.Payments.StripeAPIURL, "stripe-api-url", c.Payments.StripeAPIURL, "Stripe API base URL (default Stripe's; stripe-mock for tests)")
	c.PaymentSecretsFromEnv()
}

// PaymentSecretsFromEnv reads the Stripe secrets from the environment.
func (c *Config) PaymentSecretsFromEnv() {
	c.Payments.StripeSecretKey = os.Getenv(envStripeSecretKey)
	c.Payments.StripeWebhookSecret = os.Getenv(envStripeWebhookSecret)
}

// payments is the configured gateway and what else comes with it.
type payments struct {
	gateway  payment.Gateway
	provider string
	// sim is the simulator when it is the gateway, for the knobs its tests
	// and chaos control turn; nil with a real provider.
	sim *simulator.Simulator
	// webhooks verifies the provider's webhook deliveries; nil when there
	// are none (the simulator, or no signing secret).
	webhooks payment.EventVerifier
	close    func() error
}

// openPayments builds the gateway cfg chooses, for serve and worker alike.
// Choosing stripe without a secret key is refused here, at start, rather
// than at the first checkout.
func openPayments(ctx context.Context, cfg Config, logger *slog.Logger) (*payments, error) {
	pc := cfg.Payments
	switch pc.provider() {
	case "simulator":
		sim, err := simulator.Open(ctx, simulator.Options{LedgerPath: cfg.PaymentLedgerPath()})
		if err != nil {
			return nil, err
		}
		sim.SetLatency(cfg.PaymentLatency)
		sim.SetFailureRate(cfg.PaymentFailureRate)
		return &payments{gateway: sim, provider: "simulator", sim: sim, close: sim.Close}, nil
	case "stripe":
		if pc.StripeSecretKey == "" {
			return nil, fmt.Errorf("--payments=stripe needs the secret API key in %s (environment only, never a flag)", envStripeSecretKey)
		}
		gw, err := stripe.New(stripe.Config{Key: pc.StripeSecretKey, URL: pc.StripeAPIURL, Logger: logger})
		if err != nil {
			return nil, err
		}
		p := &payments{gateway: gw, provider: "stripe", close: func() error { return nil }}
		if pc.StripeWebhookSecret == "" {
			logger.Warn("Stripe webhooks are off: " + envStripeWebhookSecret + " is not set, so /api/v1/webhooks/stripe answers 404")
			return p, nil
		}
		wh, err := gw.Webhooks(pc.StripeWebhookSecret)
		if err != nil {
			return nil, err
		}
		p.webhooks = wh
		return p, nil
	}
	return nil, fmt.Errorf("unknown payment gateway %q: want simulator or stripe", pc.Provider)
}
