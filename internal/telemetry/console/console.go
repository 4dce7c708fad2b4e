// Package console serves /console, the page the team keeps open during a
// sale: live charts (requests/s, latency percentiles, errors, orders/min,
// revenue, cache hit ratio, and queue lag, instances and WAF blocks once
// those exist), the alarm list, recent traces with their spans and a
// service map built from them.
//
// The page is html/template plus one small script; charts are uPlot (pinned,
// embedded from static/, never loaded from another host). The script polls
// /console/api/state every two seconds: polling survives proxies and
// restarts without the reconnection logic SSE needs, and the state is small.
// Series are computed in-process from the shop's own Prometheus registry
// (promsnap), so the charts show the numbers /metrics exports.
//
// Admin only. Browsers cannot send the admin bearer token, so the token is
// accepted once (a sign-in form, or ?token= which is then dropped from the
// address by a redirect) and exchanged for a signed HttpOnly,
// SameSite=Strict cookie. The console stands beside the shop: it imports
// telemetry, never the domain.
package console

import (
	"context"
	"crypto/rand"
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/peakshop/peakshop/internal/telemetry"
	"github.com/peakshop/peakshop/internal/telemetry/alarm"
	"github.com/peakshop/peakshop/internal/telemetry/promsnap"
)

//go:embed static templates
var assets embed.FS

// Options configure a Console.
type Options struct {
	// IsAdmin reports whether a token is the admin token.
	IsAdmin  func(token string) bool
	Gatherer prometheus.Gatherer
	Traces   *telemetry.Ring
	// Alarms may be nil (no alarm engine): the page says so.
	Alarms *alarm.Engine
	Logger *slog.Logger
	// Interval between chart points (default 2s); History is how many are
	// kept (default 300, ten minutes at 2s).
	Interval time.Duration
	History  int
	// Currency labels the revenue chart.
	Currency string
}

// Console is the operations page and its data.
type Console struct {
	opts   Options
	key    []byte // signs session cookies; per process, so a restart signs everyone out
	pages  *template.Template
	static http.Handler

	mu     sync.Mutex
	points []Point
	prev   *promsnap.Snapshot
}

// New returns a Console. Call Run to start sampling.
func New(o Options) (*Console, error) {
	if o.Interval <= 0 {
		o.Interval = 2 * time.Second
	}
	if o.History <= 0 {
		o.History = 300
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Currency == "" {
		o.Currency = "USD"
	}
	c := &Console{opts: o, key: make([]byte, 32)}
	if _, err := rand.Read(c.key); err != nil {
		return nil, fmt.Errorf("console: session key: %w", err)
	}
	var err error
	if c.pages, err = template.ParseFS(assets, "templates/*.html"); err != nil {
		return nil, fmt.Errorf("console: templates: %w", err)
	}
	sub, err := fs.Sub(assets, "static")
	if err != nil {
		return nil, err
	}
	c.static = http.StripPrefix("/console/static/", http.FileServerFS(sub))
	c.Sample(time.Now())
	return c, nil
}

// Register adds the console's routes to mux.
func (c *Console) Register(mux *http.ServeMux) {
	mux.HandleFunc("GET /console", c.page)
	mux.HandleFunc("GET /console/login", c.loginForm)
	mux.HandleFunc("POST /console/login", c.login)
	mux.HandleFunc("POST /console/logout", c.logout)
	mux.Handle("GET /console/static/", c.static) // public: a library and the page's own script
	mux.HandleFunc("GET /console/api/state", c.requireAdmin(c.state))
	mux.HandleFunc("GET /console/api/alarms", c.requireAdmin(c.alarms))
	mux.HandleFunc("GET /console/api/traces", c.requireAdmin(c.traces))
}

// Run samples the registry every Interval until ctx ends.
func (c *Console) Run(ctx context.Context) {
	t := time.NewTicker(c.opts.Interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case now := <-t.C:
			c.Sample(now)
		}
	}
}
