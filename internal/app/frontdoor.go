package app

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/netip"

	"github.com/peakshop/peakshop/internal/edge"
	"github.com/peakshop/peakshop/internal/edge/cork"
	"github.com/peakshop/peakshop/internal/edge/waf"
)

// EdgeConfig says whether `serve` puts the edge (cache, firewall, rate rules,
// shedding, compression) in front of the shop in the same process, as a
// single machine at peak needs it; at scale `peakshop edge` runs it apart.
type EdgeConfig struct {
	On        bool
	WAF       string
	RateRules bool
	AdminAddr string
	// CorkHits sends each cache hit in one write system call (package
	// cork) on serve's listener, as `peakshop edge --cork-hits` does on
	// its own.
	CorkHits bool
	// TrustLoopbackForwarded believes X-Forwarded-For on requests whose
	// TCP peer is loopback, and only on those (see edgeHandler): for
	// a load generator on the same machine that speaks for many shoppers
	// (`peakshop rehearse`), so per-address rate rules see shoppers, not
	// one address.
	TrustLoopbackForwarded bool
}

// DefaultEdgeConfig is the in-process front door of `peakshop serve`.
func DefaultEdgeConfig() EdgeConfig {
	return EdgeConfig{On: true, WAF: "block", RateRules: true, CorkHits: true}
}

// EdgeFlags registers the in-process edge's flags.
func (c *EdgeConfig) EdgeFlags(fs *flag.FlagSet) {
	fs.BoolVar(&c.On, "edge", c.On, "put the edge (cache, firewall, rate rules, shedding, compression) in front of the shop in-process")
	fs.StringVar(&c.WAF, "edge-waf", c.WAF, "in-process edge firewall rule set (OWASP CRS): block, detect or off")
	fs.Var((*onOff)(&c.RateRules), "edge-rate-rules", "in-process edge rate-based rules (per client IP, stricter on sign-in and checkout): on or off")
	fs.Var((*onOff)(&c.CorkHits), "edge-cork-hits", "send each in-process edge cache hit in one write system call: on or off")
	fs.StringVar(&c.AdminAddr, "edge-admin-addr", c.AdminAddr, "loopback address of the in-process edge's admin API (purge, stats); empty for none")
	fs.BoolVar(&c.TrustLoopbackForwarded, "edge-trust-loopback-forwarded", c.TrustLoopbackForwarded, "believe X-Forwarded-For from loopback peers only (a load generator on this machine speaking for many shoppers); other peers' header is dropped")
}

// frontDoor wraps the shop's handler in the edge. The edge stands beside
// the shop and sees it only as an http.Handler.
func frontDoor(c EdgeConfig, shop http.Handler, logger *slog.Logger) (*edge.Edge, error) {
	cfg := edge.DefaultConfig()
	cfg.Addr, cfg.AdminAddr = "", c.AdminAddr
	cfg.Origin = shop
	cfg.RateRulesEnabled = c.RateRules
	cfg.CorkHits = c.CorkHits
	// Safe: edgeHandler strips the header from every peer but loopback.
	cfg.TrustForwarded = c.TrustLoopbackForwarded
	cfg.WAF.Mode = waf.Mode(c.WAF) // edge.New refuses anything but block, detect or off
	e, err := edge.New(cfg, logger.With("component", "edge"))
	if err != nil {
		return nil, fmt.Errorf("edge: %w", err)
	}
	return e, nil
}

// edgeHandler is the edge's public handler; with TrustLoopbackForwarded a
// request from any peer but loopback loses its X-Forwarded-For before the
// edge reads it, so only a process on this machine can speak for others.
func edgeHandler(c EdgeConfig, e *edge.Edge) http.Handler {
	h := e.Handler()
	if !c.TrustLoopbackForwarded {
		return h
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		host, _, err := net.SplitHostPort(r.RemoteAddr)
		if ip, perr := netip.ParseAddr(host); err != nil || perr != nil || !ip.Unmap().IsLoopback() {
			r.Header.Del("X-Forwarded-For")
		}
		h.ServeHTTP(w, r)
	})
}

// publicListener is the listener Run serves: with the edge's cork on, its
// cache hits leave in one write system call (the server's ConnContext is
// cork.ConnContext), as on `peakshop edge`'s own listener.
func (a *App) publicListener() net.Listener {
	if a.edge == nil || !a.cfg.Edge.CorkHits {
		return a.ln
	}
	return cork.Listener{Listener: a.ln}
}

// runEdge runs the in-process edge's admin listener, if any, and returns
// the function that stops it and releases the edge.
func (a *App) runEdge(ctx context.Context) (stop func()) {
	if a.edge == nil {
		return func() {}
	}
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := a.edge.Run(ctx); err != nil {
			a.logger.Error("edge stopped", "err", err)
		}
	}()
	return func() {
		cancel()
		<-done
		a.edge.Close()
	}
}

// onOff is a boolean flag spelled on/off, as `peakshop edge --rate-rules`
// and --cork-hits spell it: both commands read PEAKSHOP_EDGE_RATE_RULES and
// PEAKSHOP_EDGE_CORK_HITS.
type onOff bool

func (o *onOff) String() string {
	if o != nil && bool(*o) {
		return "on"
	}
	return "off"
}

func (o *onOff) Set(v string) error {
	switch v {
	case "on", "true", "1":
		*o = true
	case "off", "false", "0":
		*o = false
	default:
		return fmt.Errorf("want on or off, not %q", v)
	}
	return nil
}

// purgeCatalog drops cached copies of catalog documents and pages after an
// admin write: the edge's, by surrogate key, and the storefront's own.
func (a *App) purgeCatalog(keys ...string) {
	if a.edge != nil && a.edge.Cache() != nil {
		for _, k := range keys {
			a.edge.Cache().PurgeKey(k)
		}
	}
	if a.purgeStorefront != nil {
		a.purgeStorefront()
	}
}
