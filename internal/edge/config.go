package edge

import (
	"net/http"
	"time"

	"github.com/peakshop/peakshop/internal/edge/cache"
	"github.com/peakshop/peakshop/internal/edge/compress"
	"github.com/peakshop/peakshop/internal/edge/imaging"
	"github.com/peakshop/peakshop/internal/edge/proxy"
	"github.com/peakshop/peakshop/internal/edge/ratelimit"
	"github.com/peakshop/peakshop/internal/edge/shed"
	"github.com/peakshop/peakshop/internal/edge/waf"
	"github.com/peakshop/peakshop/internal/edge/waitroom"
)

// Config is the whole edge. The zero value of each section has sensible
// defaults; Enabled-style switches say what runs.
type Config struct {
	// Addr is the public listener (Run only); "" means no listener, for
	// in-process use through Handler.
	Addr string
	// AdminAddr is the loopback admin listener (Run only); "" means none.
	AdminAddr string
	TLS       TLSConfig
	// ShutdownTimeout bounds graceful shutdown in Run; 0 means 10s.
	ShutdownTimeout time.Duration
	// CorkHits makes Run's plain listeners send each cache hit in one
	// write system call (see package cork); off, net/http writes a hit
	// past 4 KB in two. A switch for comparison and as an escape hatch.
	CorkHits bool
	// Server bounds the client side of every hop (Run's listeners); the
	// upstream side is bounded per pool (proxy.Timeouts) and per route
	// (proxy.Route.Timeout).
	Server ServerTimeouts

	// Origin, when set, is the shop's own handler: the edge wraps it in
	// process and Proxy is ignored.
	Origin http.Handler
	// Proxy is the load balancer when there is no in-process Origin.
	Proxy proxy.Config

	// HealthPaths are never blocked, rate limited, shed or queued.
	HealthPaths []string
	// TrustForwarded believes X-Forwarded-For (only behind another proxy).
	TrustForwarded bool

	CacheEnabled bool
	Cache        cache.Config

	Guard waf.GuardConfig
	WAF   waf.RuleSetConfig // Mode "off" skips the rule set

	RateRulesEnabled bool
	RateLimit        ratelimit.Config

	ShedEnabled bool
	Shed        shed.Config

	WaitRoom waitroom.Config // Capacity 0 disables it

	CompressEnabled bool
	Compress        compress.Config

	// ImagingEnabled serves /img/{path}?w=&q= resized from the origin's
	// /{path}, cached like any response.
	ImagingEnabled bool
	Imaging        imaging.Config
}

// ServerTimeouts bound a client connection; zero fields take the defaults
// in brackets. A slow client cannot hold a connection (and its goroutine)
// longer than these, whatever the route.
type ServerTimeouts struct {
	ReadHeader time.Duration // request line and headers [10s]
	Read       time.Duration // whole request, body included [60s]
	Write      time.Duration // from the end of the headers to the end of the response [120s]
	Idle       time.Duration // keep-alive wait for the next request [120s]
}

func (t ServerTimeouts) withDefaults() ServerTimeouts {
	if t.ReadHeader == 0 {
		t.ReadHeader = 10 * time.Second
	}
	if t.Read == 0 {
		t.Read = 60 * time.Second
	}
	if t.Write == 0 {
		t.Write = 120 * time.Second
	}
	if t.Idle == 0 {
		t.Idle = 120 * time.Second
	}
	return t
}

// TLSConfig terminates TLS on the public listener: a given certificate, or
// a self-signed one generated at start for local use.
type TLSConfig struct {
	CertFile, KeyFile string
	SelfSigned        bool
}

// DefaultConfig is the edge as `peakshop edge` runs it by default: cache,
// blocking CRS at paranoia 1, shop-sized rate rules, shedding and
// compression on; no waiting room.
func DefaultConfig() Config {
	return Config{
		Addr:             "127.0.0.1:8081",
		AdminAddr:        "127.0.0.1:8082",
		CorkHits:         true,
		HealthPaths:      []string{"/healthz", "/readyz", "/livez"},
		CacheEnabled:     true,
		WAF:              waf.RuleSetConfig{Mode: waf.ModeBlock},
		RateRulesEnabled: true,
		RateLimit:        ratelimit.Config{Rules: ratelimit.DefaultRules()},
		ShedEnabled:      true,
		CompressEnabled:  true,
		ImagingEnabled:   true,
	}
}
