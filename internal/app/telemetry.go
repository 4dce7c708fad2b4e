package app

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/peakshop/peakshop/internal/messaging/jetstream"
	"github.com/peakshop/peakshop/internal/messaging/mailer"
	"github.com/peakshop/peakshop/internal/telemetry"
	"github.com/peakshop/peakshop/internal/telemetry/alarm"
	"github.com/peakshop/peakshop/internal/telemetry/console"
)

// TelemetryConfig is what `peakshop serve` can be told about observability.
type TelemetryConfig struct {
	// OTLPEndpoint exports traces over OTLP/HTTP when set.
	OTLPEndpoint string
	// TraceSampleRatio is the share of new traces recorded (default 1).
	TraceSampleRatio float64
	// TracesPerSecond caps new recorded traces a second (default 100).
	TracesPerSecond int
	// AlarmRules is a JSON rules file; empty means the built-in defaults.
	AlarmRules string
	// AlarmWebhooks and AlarmEmails (comma-separated) receive the changes
	// of rules that name no destination of their own.
	AlarmWebhooks string
	AlarmEmails   string
	SMTPAddr      string
	SMTPFrom      string
	SMTPUser      string
	// SMTPPassword comes from PEAKSHOP_SMTP_PASSWORD only (a secret).
	SMTPPassword string
	// ConsoleInterval is how often the console samples its charts (default
	// 2s); tests shorten it.
	ConsoleInterval time.Duration
	// FunnelWindow is how far back conversion and cart abandonment look
	// (default 1h); CartAbandonAfter is how long an open cart may sit
	// untouched before it counts as abandoned (default 30m).
	FunnelWindow     time.Duration
	CartAbandonAfter time.Duration
	// ScrapeCacheTTL is how long one look at JetStream (5s) or one count
	// of the funnel (15s) serves scrapes; tests shorten it.
	ScrapeCacheTTL time.Duration
	// Off serves without any instrumentation: no metrics middleware, traces
	// or console. Only the overhead benchmark's baseline uses it.
	Off bool
}

// TelemetryFlags registers the observability flags of `peakshop serve`.
func (c *Config) TelemetryFlags(fs *flag.FlagSet) {
	t := &c.Telemetry
	fs.StringVar(&t.OTLPEndpoint, "otlp", t.OTLPEndpoint, "export traces over OTLP/HTTP to this collector (http://host:4318); without it the console keeps recent traces in memory")
	fs.Float64Var(&t.TraceSampleRatio, "trace-sample", 1, "share (0-1] of new traces recorded; requests arriving with a sampled traceparent are always recorded")
	fs.IntVar(&t.TracesPerSecond, "trace-max-per-second", 100, "most new traces recorded a second (bounds tracing's cost at peak)")
	fs.DurationVar(&t.FunnelWindow, "funnel-window", time.Hour, "how far back the conversion and cart abandonment figures look")
	fs.DurationVar(&t.CartAbandonAfter, "cart-abandon-after", 30*time.Minute, "how long an open cart sits untouched before it counts as abandoned")
	fs.StringVar(&t.AlarmRules, "alarm-rules", t.AlarmRules, "alarm rules file (JSON); empty for the built-in shop defaults (see 'peakshop alarms --defaults')")
	fs.StringVar(&t.AlarmWebhooks, "alarm-webhook", t.AlarmWebhooks, "comma-separated URLs that receive alarm state changes as JSON")
	fs.StringVar(&t.AlarmEmails, "alarm-email", t.AlarmEmails, "comma-separated addresses that receive alarm state changes (needs --smtp-addr)")
	fs.StringVar(&t.SMTPAddr, "smtp-addr", t.SMTPAddr, "SMTP server host:port for alarm e-mail (password in PEAKSHOP_SMTP_PASSWORD)")
	fs.StringVar(&t.SMTPFrom, "smtp-from", t.SMTPFrom, "sender address of alarm e-mail")
	fs.StringVar(&t.SMTPUser, "smtp-user", t.SMTPUser, "SMTP user name for alarm e-mail")
}

// setupTelemetry builds the registry and tracing, and returns logger
// wrapped so records carry trace and request ids and leave redacted.
func setupTelemetry(ctx context.Context, cfg TelemetryConfig, logger *slog.Logger) (*telemetry.Telemetry, *slog.Logger, error) {
	tel, err := telemetry.New(ctx, telemetry.Options{Service: "peakshop", OTLPEndpoint: cfg.OTLPEndpoint,
		SampleRatio: cfg.TraceSampleRatio, TracesPerSecond: cfg.TracesPerSecond, Logger: logger})
	if err != nil {
		return nil, nil, err
	}
	return tel, tel.Logger(logger), nil
}

// mountObservability builds the alarm engine and the console (on reg) and
// adds the console's routes to mux; alarm e-mails give times in loc too.
func (a *App) mountObservability(mux *http.ServeMux, reg prometheus.Gatherer, isAdmin func(string) bool, loc *time.Location) error {
	t := a.cfg.Telemetry
	rules, err := alarm.Load(t.AlarmRules)
	if err != nil {
		return err
	}
	n := &alarm.Notifiers{DefaultWebhooks: splitList(t.AlarmWebhooks), DefaultEmails: splitList(t.AlarmEmails), Location: loc}
	if t.SMTPAddr != "" {
		pass := t.SMTPPassword
		if pass == "" {
			pass = os.Getenv("PEAKSHOP_SMTP_PASSWORD")
		}
		n.SMTP, n.From = &mailer.SMTP{Addr: t.SMTPAddr, Username: t.SMTPUser, Password: pass}, t.SMTPFrom
	}
	if a.Alarms, err = alarm.New(alarm.Config{Rules: rules, Source: reg, Notifier: n, Logger: a.logger}); err != nil {
		return err
	}
	if a.console, err = console.New(console.Options{IsAdmin: isAdmin, Gatherer: reg, Traces: a.Telemetry.Traces,
		Alarms: a.Alarms, Logger: a.logger, Currency: a.cfg.Currency, Interval: t.ConsoleInterval}); err != nil {
		return err
	}
	a.console.Register(mux)
	return nil
}

// runObservability evaluates alarms and samples the console's charts until
// ctx ends; the returned func waits for both to stop.
func (a *App) runObservability(ctx context.Context) (wait func()) {
	var wg sync.WaitGroup
	if a.Alarms != nil {
		wg.Go(func() { a.Alarms.Run(ctx) })
	}
	if a.console != nil {
		wg.Go(func() { a.console.Run(ctx) })
	}
	return wg.Wait
}

func splitList(s string) []string {
	var out []string
	for _, v := range strings.Split(s, ",") {
		if v = strings.TrimSpace(v); v != "" {
			out = append(out, v)
		}
	}
	return out
}

// busTracing is what the order pipeline's bus needs of the shop's telemetry:
// its tracer and propagator, so a checkout's trace follows its events
// through JetStream to the subscribers. With instrumentation off the bus
// still carries baggage (the synthetic marker) but makes no spans.
func busTracing(cfg TelemetryConfig, tel *telemetry.Telemetry) jetstream.Tracing {
	if cfg.Off {
		return jetstream.Tracing{}
	}
	// The bus's own propagator (msgtrace's), not telemetry's: it lets only
	// the synthetic marker of a caller's baggage into message headers.
	return jetstream.Tracing{Provider: tel.TracerProvider()}
}

// registerCollectors adds the series read on scrape to the registry: this
// instance, the conversion funnel (from the database), the queues (from
// JetStream, when this process runs the pipeline) and the in-process
// edge's firewall and rate-rule blocks.
func (a *App) registerCollectors(reg prometheus.Registerer) error {
	t := a.cfg.Telemetry
	cs := []prometheus.Collector{telemetry.NewFunnelCollector(telemetry.FunnelOptions{Logger: a.logger,
		Window: t.FunnelWindow, AbandonAfter: t.CartAbandonAfter, TTL: t.ScrapeCacheTTL,
		Count: func(ctx context.Context, now time.Time, window, abandonAfter time.Duration) (telemetry.Funnel, error) {
			f, err := a.Store.Funnel(ctx, now, window, abandonAfter)
			return telemetry.Funnel(f), err
		}})}
	if a.pipeline != nil {
		cs = append(cs, a.pipeline.bus.Collector(t.ScrapeCacheTTL))
	}
	if a.edge != nil {
		cs = append(cs, a.edge.Collectors()...)
	}
	for _, c := range cs {
		if err := reg.Register(c); err != nil {
			return fmt.Errorf("telemetry: register collector: %w", err)
		}
	}
	return telemetry.RegisterInstance(reg, "app")
}
