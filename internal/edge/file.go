package edge

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"time"

	"github.com/peakshop/peakshop/internal/edge/proxy"
	"github.com/peakshop/peakshop/internal/edge/ratelimit"
	"github.com/peakshop/peakshop/internal/edge/waf"
)

// Duration is a time.Duration written as "5s" or "250ms" in the file.
type Duration time.Duration

// UnmarshalJSON implements json.Unmarshaler.
func (d *Duration) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("duration: want a string such as \"5s\": %w", err)
	}
	v, err := time.ParseDuration(s)
	if err != nil {
		return fmt.Errorf("duration: %w", err)
	}
	*d = Duration(v)
	return nil
}

// File is the routing file (--routes): JSON, every section optional,
// unknown fields rejected so typos fail loudly. See docs/edge.md.
type File struct {
	Pools []struct {
		Name        string   `json:"name"`
		Targets     []string `json:"targets"`
		Policy      string   `json:"policy"`
		HealthCheck struct {
			Path      string   `json:"path"`
			Interval  Duration `json:"interval"`
			Timeout   Duration `json:"timeout"`
			Healthy   int      `json:"healthy"`
			Unhealthy int      `json:"unhealthy"`
		} `json:"health_check"`
		Outlier struct {
			Consecutive int      `json:"consecutive"`
			CoolOff     Duration `json:"cool_off"`
		} `json:"outlier"`
		Timeouts struct {
			Dial           Duration `json:"dial"`
			ResponseHeader Duration `json:"response_header"`
			Request        Duration `json:"request"`
			IdleConn       Duration `json:"idle_conn"`
		} `json:"timeouts"`
	} `json:"pools"`
	Routes []struct {
		Name  string `json:"name"`
		Match struct {
			PathPrefix string            `json:"path_prefix"`
			Host       string            `json:"host"`
			Headers    map[string]string `json:"headers"`
		} `json:"match"`
		Splits []struct {
			Pool   string `json:"pool"`
			Weight int    `json:"weight"`
		} `json:"splits"`
		Timeout Duration `json:"timeout"` // the route's whole-exchange deadline
	} `json:"routes"`
	Server *struct {
		ReadHeaderTimeout Duration `json:"read_header_timeout"`
		ReadTimeout       Duration `json:"read_timeout"`
		WriteTimeout      Duration `json:"write_timeout"`
		IdleTimeout       Duration `json:"idle_timeout"`
	} `json:"server"`
	HealthPaths    []string `json:"health_paths"`
	TrustForwarded *bool    `json:"trust_forwarded"`
	Cache          *struct {
		Enabled        *bool    `json:"enabled"`
		MaxBytes       uint64   `json:"max_bytes"`
		MaxObjectBytes int      `json:"max_object_bytes"`
		IgnoreParams   []string `json:"ignore_params"`
		Heuristic      bool     `json:"heuristic"`
	} `json:"cache"`
	WAF *struct {
		Mode             string          `json:"mode"`
		Paranoia         int             `json:"paranoia"`
		InboundThreshold int             `json:"inbound_threshold"`
		Exclusions       []waf.Exclusion `json:"exclusions"`
		Allow            []string        `json:"allow"`
		Deny             []string        `json:"deny"`
		Match            []waf.MatchRule `json:"match"`
		BodyLimits       []waf.BodyLimit `json:"body_limits"`
	} `json:"waf"`
	RateRules *struct {
		Enabled *bool `json:"enabled"`
		Rules   []struct {
			Name       string   `json:"name"`
			PathPrefix string   `json:"path_prefix"`
			Methods    []string `json:"methods"`
			PerPath    bool     `json:"per_path"`
			Limit      int      `json:"limit"`
			Window     Duration `json:"window"`
			Block      Duration `json:"block"`
			Action     string   `json:"action"` // block (default) or challenge
		} `json:"rules"`
	} `json:"rate_rules"`
	Shed *struct {
		Enabled       *bool    `json:"enabled"`
		InitialLimit  int      `json:"initial_limit"`
		MinLimit      int      `json:"min_limit"`
		MaxLimit      int      `json:"max_limit"`
		TargetLatency Duration `json:"target_latency"`
		// CheckoutTargetLatency judges checkout's own limit (default 4x
		// target_latency: checkout waits on the payment provider).
		CheckoutTargetLatency Duration `json:"checkout_target_latency"`
	} `json:"shed"`
	WaitRoom *struct {
		Capacity    int      `json:"capacity"`
		IdleTimeout Duration `json:"idle_timeout"`
		Secret      string   `json:"secret"`
		Exempt      []string `json:"exempt_prefixes"`
	} `json:"waitroom"`
	Compress *bool `json:"compress"`
	Imaging  *bool `json:"imaging"`
}

// LoadFile reads a routing file and applies it onto cfg.
func LoadFile(path string, cfg *Config) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("edge: routes file: %w", err)
	}
	var f File
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil {
		return fmt.Errorf("edge: routes file %s: %w", path, err)
	}
	return f.Apply(cfg)
}

// Apply copies the file's settings onto cfg; absent sections leave cfg as is.
func (f *File) Apply(cfg *Config) error {
	for _, p := range f.Pools {
		cfg.Proxy.Pools = append(cfg.Proxy.Pools, proxy.PoolConfig{
			Name: p.Name, Targets: p.Targets, Policy: p.Policy,
			HealthCheck: proxy.HealthCheckConfig{
				Path: p.HealthCheck.Path, Interval: time.Duration(p.HealthCheck.Interval), Timeout: time.Duration(p.HealthCheck.Timeout),
				Healthy: p.HealthCheck.Healthy, Unhealthy: p.HealthCheck.Unhealthy,
			},
			Outlier: proxy.OutlierConfig{Consecutive: p.Outlier.Consecutive, CoolOff: time.Duration(p.Outlier.CoolOff)},
			Timeouts: proxy.Timeouts{
				Dial: time.Duration(p.Timeouts.Dial), ResponseHeader: time.Duration(p.Timeouts.ResponseHeader), Request: time.Duration(p.Timeouts.Request),
				IdleConn: time.Duration(p.Timeouts.IdleConn),
			},
		})
	}
	for _, r := range f.Routes {
		route := proxy.Route{Name: r.Name, Match: proxy.Match{PathPrefix: r.Match.PathPrefix, Host: r.Match.Host, Headers: r.Match.Headers},
			Timeout: time.Duration(r.Timeout)}
		for _, s := range r.Splits {
			route.Splits = append(route.Splits, proxy.Split{Pool: s.Pool, Weight: s.Weight})
		}
		cfg.Proxy.Routes = append(cfg.Proxy.Routes, route)
	}
	if sv := f.Server; sv != nil {
		cfg.Server = ServerTimeouts{ReadHeader: time.Duration(sv.ReadHeaderTimeout), Read: time.Duration(sv.ReadTimeout),
			Write: time.Duration(sv.WriteTimeout), Idle: time.Duration(sv.IdleTimeout)}
	}
	if f.HealthPaths != nil {
		cfg.HealthPaths = f.HealthPaths
	}
	if f.TrustForwarded != nil {
		cfg.TrustForwarded = *f.TrustForwarded
	}
	if c := f.Cache; c != nil {
		if c.Enabled != nil {
			cfg.CacheEnabled = *c.Enabled
		}
		cfg.Cache.MaxBytes, cfg.Cache.MaxObjectBytes, cfg.Cache.Heuristic = c.MaxBytes, c.MaxObjectBytes, c.Heuristic
		if c.IgnoreParams != nil {
			cfg.Cache.IgnoreParams = c.IgnoreParams
		}
	}
	if w := f.WAF; w != nil {
		if w.Mode != "" {
			m, err := waf.ParseMode(w.Mode)
			if err != nil {
				return err
			}
			cfg.WAF.Mode = m
		}
		cfg.WAF.Paranoia, cfg.WAF.InboundThreshold = w.Paranoia, w.InboundThreshold
		if w.Exclusions != nil {
			cfg.WAF.Exclusions = w.Exclusions
		}
		cfg.Guard.Allow, cfg.Guard.Deny, cfg.Guard.Match, cfg.Guard.BodyLimits = w.Allow, w.Deny, w.Match, w.BodyLimits
	}
	if rr := f.RateRules; rr != nil {
		if rr.Enabled != nil {
			cfg.RateRulesEnabled = *rr.Enabled
		}
		if rr.Rules != nil {
			cfg.RateLimit.Rules = nil
			for _, r := range rr.Rules {
				cfg.RateLimit.Rules = append(cfg.RateLimit.Rules, ratelimit.Rule{
					Name: r.Name, PathPrefix: r.PathPrefix, Methods: r.Methods, PerPath: r.PerPath,
					Limit: r.Limit, Window: time.Duration(r.Window), Block: time.Duration(r.Block), Action: r.Action,
				})
			}
		}
	}
	if s := f.Shed; s != nil {
		if s.Enabled != nil {
			cfg.ShedEnabled = *s.Enabled
		}
		cfg.Shed.InitialLimit, cfg.Shed.MinLimit, cfg.Shed.MaxLimit = s.InitialLimit, s.MinLimit, s.MaxLimit
		cfg.Shed.TargetLatency = time.Duration(s.TargetLatency)
		cfg.Shed.CheckoutTargetLatency = time.Duration(s.CheckoutTargetLatency)
	}
	if w := f.WaitRoom; w != nil {
		cfg.WaitRoom.Capacity, cfg.WaitRoom.IdleTimeout = w.Capacity, time.Duration(w.IdleTimeout)
		cfg.WaitRoom.Secret, cfg.WaitRoom.ExemptPrefixes = []byte(w.Secret), w.Exempt
	}
	if f.Compress != nil {
		cfg.CompressEnabled = *f.Compress
	}
	if f.Imaging != nil {
		cfg.ImagingEnabled = *f.Imaging
	}
	return nil
}
