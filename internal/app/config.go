// Package app is the composition root: it turns configuration into concrete
// stores, services and servers, runs them and shuts them down in order.
// End-to-end tests start the whole shop through it on port 0.
//
// Besides the servers, `serve` runs the sale scheduler (scheduler.go) on
// every instance. It is safe to run many: each due change is claimed by a
// conditional UPDATE from pending in the transaction that applies it (FOR
// UPDATE SKIP LOCKED picks it on PostgreSQL), so exactly one instance
// applies it, together with its product.changed outbox event.
package app

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// Config is everything `peakshop serve` can be told.
type Config struct {
	Addr       string
	DataDir    string
	DB         string
	AdminToken string
	Currency   string
	// Timezone is the shop's IANA time zone ("" or "UTC" for UTC): pages
	// show times in it and the sale scheduler reads typed times in it.
	Timezone        string
	Demo            bool
	Migrate         bool
	ShutdownTimeout time.Duration
	ProductCacheTTL time.Duration
	LogLevel        string

	Edge EdgeConfig

	Payments           PaymentsConfig // see payments.go
	PaymentLatency     time.Duration
	PaymentFailureRate float64
	// PaymentLedger is the payment simulator's ledger file: "" (DefaultConfig:
	// tests, embedders) keeps charges in memory; the serve and worker flags
	// default it to <data>/payments-sim.db, so a shop and a separate worker
	// share one simulated provider and a killed worker forgets no charge.
	PaymentLedger   string
	ledgerUnderData bool // set by the flags: "" means <data>/payments-sim.db

	Telemetry TelemetryConfig // see telemetry.go
	Pipeline  PipelineConfig  // see pipeline.go

	// ChaosAddr is the loopback chaos-control listener (chaoscontrol.go);
	// empty is off.
	ChaosAddr string
	// WorkerMetricsAddr is where `peakshop worker` serves /metrics
	// (workermetrics.go); empty is off.
	WorkerMetricsAddr string

	Housekeeping HousekeepingConfig // see housekeeping.go
}

// DefaultConfig is the embedded single-machine shop.
func DefaultConfig() Config {
	return Config{Addr: ":8080", DataDir: "./data", Currency: "USD", Timezone: "UTC", Demo: true, Migrate: true,
		Edge: DefaultEdgeConfig(), Housekeeping: DefaultHousekeeping(), ShutdownTimeout: 20 * time.Second, ProductCacheTTL: time.Second, LogLevel: "info",
		Pipeline: PipelineConfig{Off: true, PaymentRate: 200, PaymentConcurrency: 16, AppVersion: "peakshop-1"}}
}

// DSN returns the database URL, defaulting to the SQLite file under DataDir.
func (c Config) DSN() string {
	if c.DB != "" {
		return c.DB
	}
	return "sqlite:" + filepath.Join(c.DataDir, "shop.db")
}

// String prints the configuration with secrets masked, for the start-up log.
func (c Config) String() string {
	tok := "(generated or stored)"
	if c.AdminToken != "" {
		tok = "****"
	}
	return fmt.Sprintf("addr=%s data=%s db=%s admin_token=%s currency=%s timezone=%s demo=%t payments=%s", c.Addr, c.DataDir, maskURL(c.DSN()), tok, c.Currency, c.Timezone, c.Demo, c.Payments.provider())
}

func maskURL(u string) string {
	at := strings.LastIndexByte(u, '@')
	scheme := strings.Index(u, "://")
	if at < 0 || scheme < 0 || at < scheme {
		return u
	}
	cred := u[scheme+3 : at]
	if i := strings.IndexByte(cred, ':'); i >= 0 {
		return u[:scheme+3] + cred[:i] + ":****" + u[at:]
	}
	return u
}

// StorageFlags registers the flags every subcommand that opens the database
// shares. Each has a PEAKSHOP_* environment equivalent (see flagenv).
func (c *Config) StorageFlags(fs *flag.FlagSet) {
	fs.StringVar(&c.DataDir, "data", c.DataDir, "directory for embedded data (SQLite file, queues)")
	fs.StringVar(&c.DB, "db", c.DB, "database URL: sqlite:PATH or postgres://... (default sqlite:<data>/shop.db)")
	fs.StringVar(&c.Currency, "currency", c.Currency, "shop currency, ISO 4217")
	fs.StringVar(&c.LogLevel, "log-level", c.LogLevel, "debug, info, warn or error")
}

// ServeFlags registers the flags of `peakshop serve`.
func (c *Config) ServeFlags(fs *flag.FlagSet) {
	c.StorageFlags(fs)
	fs.StringVar(&c.Addr, "addr", c.Addr, "listen address")
	fs.StringVar(&c.Timezone, "timezone", c.Timezone, "the shop's time zone, an IANA name such as Europe/Berlin: pages show times in it and the sale scheduler reads typed times in it")
	c.Edge.EdgeFlags(fs)
	fs.BoolVar(&c.Demo, "demo", c.Demo, "seed the demo catalog when the database has no products")
	fs.BoolVar(&c.Migrate, "migrate", c.Migrate, "apply database migrations at start")
	fs.DurationVar(&c.ShutdownTimeout, "shutdown-timeout", c.ShutdownTimeout, "how long SIGTERM waits for in-flight requests")
	fs.DurationVar(&c.ProductCacheTTL, "product-cache-ttl", c.ProductCacheTTL, "how long product reads are cached in memory; 0 disables")
	fs.DurationVar(&c.PaymentLatency, "payment-latency", c.PaymentLatency, "latency the payment simulator adds to each call")
	fs.Float64Var(&c.PaymentFailureRate, "payment-failure-rate", c.PaymentFailureRate, "share (0-1) of payment simulator calls that fail")
	c.paymentLedgerFlag(fs)
	c.PaymentsFlags(fs)
	c.TelemetryFlags(fs)
	c.PipelineFlags(fs)
	c.ChaosFlags(fs)
	c.Housekeeping.HousekeepingFlags(fs)
}

// PipelineFlags registers the order pipeline's flags (serve and worker).
// DefaultConfig leaves the pipeline off for embedders and tests that count
// paid orders; the commands run it unless told --pipeline=false.
func (c *Config) PipelineFlags(fs *flag.FlagSet) {
	c.Pipeline.Off = false
	fs.BoolFunc("pipeline", "run the order pipeline (JetStream, outbox relay, fulfillment workflows) in this process (default true)", func(v string) error {
		on, err := strconv.ParseBool(v)
		c.Pipeline.Off = !on
		return err
	})
	fs.StringVar(&c.Pipeline.NATS, "nats", c.Pipeline.NATS, "NATS URL of an external JetStream server or cluster (default: embedded, under <data>/nats)")
	fs.Func("checkout-mode", "sync (charge during checkout, 201) or queued (reserve stock, 202, charge in the workflow)", func(v string) error {
		switch v {
		case "sync", "queued":
			c.Pipeline.Queued = v == "queued"
			return nil
		}
		return fmt.Errorf("want sync or queued")
	})
	fs.Float64Var(&c.Pipeline.PaymentRate, "payment-rate", c.Pipeline.PaymentRate, "queued mode: payment calls per second the provider allows")
	fs.IntVar(&c.Pipeline.PaymentConcurrency, "payment-concurrency", c.Pipeline.PaymentConcurrency, "queued mode: payment calls in flight per worker")
	fs.StringVar(&c.Pipeline.AppVersion, "app-version", c.Pipeline.AppVersion, "workflow application version; queued workflows only run on workers of the same version")
	fs.StringVar(&c.Pipeline.SMTP, "smtp", c.Pipeline.SMTP, "SMTP relay host:port for order e-mails (default: written as .eml files under <data>/mail)")
	fs.StringVar(&c.Pipeline.MailFrom, "mail-from", c.Pipeline.MailFrom, "sender address of order e-mails (default orders@peakshop.local)")
}

func (c *Config) paymentLedgerFlag(fs *flag.FlagSet) {
	c.ledgerUnderData = true
	fs.StringVar(&c.PaymentLedger, "payment-ledger", c.PaymentLedger, "SQLite file where the payment simulator keeps charges and refunds, shared by serve and workers (default <data>/payments-sim.db; \"memory\" keeps them in memory)")
}

// PaymentLedgerPath is the simulator's ledger file, or "" for memory.
func (c Config) PaymentLedgerPath() string {
	switch {
	case c.PaymentLedger == "memory":
		return ""
	case c.PaymentLedger != "":
		return c.PaymentLedger
	case c.ledgerUnderData:
		return filepath.Join(c.DataDir, "payments-sim.db")
	}
	return ""
}

// AdminTokenFromEnv reads PEAKSHOP_ADMIN_TOKEN. It is a secret, so it comes
// from the environment only, never a flag (flags show up in ps).
func (c *Config) AdminTokenFromEnv() { c.AdminToken = os.Getenv("PEAKSHOP_ADMIN_TOKEN") }
