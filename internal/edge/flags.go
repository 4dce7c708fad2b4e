package edge

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/peakshop/peakshop/internal/edge/proxy"
	"github.com/peakshop/peakshop/internal/edge/waf"
)

// envPrefix prefixes the environment equivalents of the flags.
const envPrefix = "PEAKSHOP_EDGE_"

type urlList []string

func (u *urlList) String() string { return strings.Join(*u, ",") }
func (u *urlList) Set(v string) error {
	*u = append(*u, v)
	return nil
}

// ParseArgs parses `peakshop edge` flags (each with a PEAKSHOP_EDGE_*
// environment equivalent; a flag wins over its variable) into a Config.
// It returns flag.ErrHelp after printing usage for -h.
func ParseArgs(args []string, getenv func(string) string, stderr io.Writer) (Config, error) {
	cfg := DefaultConfig()
	fs := flag.NewFlagSet("edge", flag.ContinueOnError)
	fs.SetOutput(stderr)
	env := func(name, def string) string {
		if v := getenv(envPrefix + name); v != "" {
			return v
		}
		return def
	}
	addr := fs.String("addr", env("ADDR", cfg.Addr), "public listen address (env PEAKSHOP_EDGE_ADDR)")
	admin := fs.String("admin-addr", env("ADMIN_ADDR", cfg.AdminAddr), "admin API listen address, loopback only; empty disables (env PEAKSHOP_EDGE_ADMIN_ADDR)")
	var upstreams urlList
	fs.Var(&upstreams, "upstream", "origin URL, repeatable; all form the pool \"default\" (env PEAKSHOP_EDGE_UPSTREAMS, comma-separated)")
	routes := fs.String("routes", env("ROUTES", ""), "JSON routing file with pools, routes and settings (env PEAKSHOP_EDGE_ROUTES)")
	rate := fs.String("rate-rules", env("RATE_RULES", "on"), "rate-based rules: on or off (env PEAKSHOP_EDGE_RATE_RULES)")
	redisURL := fs.String("redis", env("REDIS", ""), "redis://host:port/db sharing rate-rule counters between edge instances; empty keeps them in process (env PEAKSHOP_EDGE_REDIS)")
	wafMode := fs.String("waf", env("WAF", "block"), "Core Rule Set: block, detect or off (env PEAKSHOP_EDGE_WAF)")
	paranoia := fs.Int("waf-paranoia", 0, "CRS paranoia level 1-4, 0 keeps the file's or 1 (env PEAKSHOP_EDGE_WAF_PARANOIA)")
	cacheOn := fs.String("cache", env("CACHE", "on"), "shared HTTP cache: on or off (env PEAKSHOP_EDGE_CACHE)")
	certFile := fs.String("tls-cert", env("TLS_CERT", ""), "TLS certificate file (PEM) (env PEAKSHOP_EDGE_TLS_CERT)")
	keyFile := fs.String("tls-key", env("TLS_KEY", ""), "TLS key file (PEM) (env PEAKSHOP_EDGE_TLS_KEY)")
	selfSigned := fs.Bool("tls-self-signed", env("TLS_SELF_SIGNED", "") == "true", "terminate TLS with a generated self-signed certificate (env PEAKSHOP_EDGE_TLS_SELF_SIGNED=true)")
	dur := func(name, envName, usage string) *time.Duration {
		return fs.Duration(name, 0, usage+"; 0 keeps the routes file's or the default (env PEAKSHOP_EDGE_"+envName+")")
	}
	readHeader := dur("read-header-timeout", "READ_HEADER_TIMEOUT", "client request line and headers [10s]")
	readAll := dur("read-timeout", "READ_TIMEOUT", "whole client request, body included [60s]")
	writeAll := dur("write-timeout", "WRITE_TIMEOUT", "writing a response to the client [120s]")
	idle := dur("idle-timeout", "IDLE_TIMEOUT", "client keep-alive between requests [120s]")
	corkHits := fs.String("cork-hits", env("CORK_HITS", "on"), "send each cache hit in one write system call: on or off (env PEAKSHOP_EDGE_CORK_HITS)")
	waitCap := fs.Int("waitroom-capacity", 0, "active shoppers before the waiting room queues; 0 disables (env PEAKSHOP_EDGE_WAITROOM_CAPACITY)")
	fs.Usage = func() {
		fmt.Fprintf(stderr, "Usage: peakshop edge [flags]\n\nRuns the edge (load balancer, cache, WAF, rate rules, shedding, waiting room) in front of HTTP origins until interrupted.\n\nFlags:\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return Config{}, err
	}
	if fs.NArg() > 0 {
		return Config{}, fmt.Errorf("edge: unexpected arguments %q", fs.Args())
	}
	if len(upstreams) == 0 {
		if v := getenv(envPrefix + "UPSTREAMS"); v != "" {
			for u := range strings.SplitSeq(v, ",") {
				if u = strings.TrimSpace(u); u != "" {
					upstreams = append(upstreams, u)
				}
			}
		}
	}
	cfg.Addr, cfg.AdminAddr = *addr, *admin
	cfg.RateLimit.Redis = *redisURL
	cfg.TLS = TLSConfig{CertFile: *certFile, KeyFile: *keyFile, SelfSigned: *selfSigned}
	if *routes != "" {
		if err := LoadFile(*routes, &cfg); err != nil {
			return Config{}, err
		}
	}
	if len(upstreams) > 0 {
		cfg.Proxy.Pools = append([]proxy.PoolConfig{{
			Name: "default", Targets: upstreams, Policy: proxy.PolicyLeastRequests,
			HealthCheck: proxy.HealthCheckConfig{Path: "/healthz"},
		}}, cfg.Proxy.Pools...)
	}
	if len(cfg.Proxy.Pools) == 0 {
		return Config{}, errors.New("edge: no origin: give --upstream URL or a --routes file with pools")
	}
	// A flag or variable given explicitly beats the routes file; a default
	// does not.
	given := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
	explicit := func(name, envName string) bool { return given[name] || getenv(envPrefix+envName) != "" }
	var err error
	if explicit("rate-rules", "RATE_RULES") {
		if cfg.RateRulesEnabled, err = onOff("rate-rules", *rate); err != nil {
			return Config{}, err
		}
	}
	if explicit("cache", "CACHE") {
		if cfg.CacheEnabled, err = onOff("cache", *cacheOn); err != nil {
			return Config{}, err
		}
	}
	if cfg.CorkHits, err = onOff("cork-hits", *corkHits); err != nil {
		return Config{}, err
	}
	if explicit("waf", "WAF") {
		if cfg.WAF.Mode, err = waf.ParseMode(*wafMode); err != nil {
			return Config{}, err
		}
	}
	if p := firstInt(*paranoia, getenv(envPrefix+"WAF_PARANOIA")); p != 0 {
		cfg.WAF.Paranoia = p
	}
	for _, d := range []struct {
		flag   time.Duration
		envVar string
		dst    *time.Duration
	}{
		{*readHeader, "READ_HEADER_TIMEOUT", &cfg.Server.ReadHeader},
		{*readAll, "READ_TIMEOUT", &cfg.Server.Read},
		{*writeAll, "WRITE_TIMEOUT", &cfg.Server.Write},
		{*idle, "IDLE_TIMEOUT", &cfg.Server.Idle},
	} {
		v := d.flag
		if v == 0 {
			if s := getenv(envPrefix + d.envVar); s != "" {
				if v, err = time.ParseDuration(s); err != nil {
					return Config{}, fmt.Errorf("edge: %s%s: %w", envPrefix, d.envVar, err)
				}
			}
		}
		if v < 0 {
			return Config{}, fmt.Errorf("edge: negative %s", strings.ToLower(strings.ReplaceAll(d.envVar, "_", "-")))
		}
		if v > 0 {
			*d.dst = v
		}
	}
	if c := firstInt(*waitCap, getenv(envPrefix+"WAITROOM_CAPACITY")); c != 0 {
		cfg.WaitRoom.Capacity = c
	}
	return cfg, nil
}

func onOff(name, v string) (bool, error) {
	switch strings.ToLower(v) {
	case "on", "true", "1":
		return true, nil
	case "off", "false", "0":
		return false, nil
	}
	return false, fmt.Errorf("edge: --%s=%q: want on or off", name, v)
}

func firstInt(flagVal int, envVal string) int {
	if flagVal != 0 {
		return flagVal
	}
	var n int
	if _, err := fmt.Sscan(envVal, &n); err == nil {
		return n
	}
	return 0
}
