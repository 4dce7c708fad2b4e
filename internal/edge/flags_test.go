package edge

import (
	"errors"
	"flag"
	"io"
	"testing"
	"time"

	"github.com/peakshop/peakshop/internal/edge/waf"
)

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestParseArgs(t *testing.T) {
	cfg, err := ParseArgs([]string{"--upstream", "http://127.0.0.1:9001", "--upstream", "http://127.0.0.1:9002", "--rate-rules=off", "--waf=detect"},
		env(map[string]string{"PEAKSHOP_EDGE_ADDR": "127.0.0.1:9999"}), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Addr != "127.0.0.1:9999" || cfg.RateRulesEnabled || cfg.WAF.Mode != waf.ModeDetect || !cfg.CorkHits {
		t.Errorf("cfg %+v", cfg)
	}
	if p := cfg.Proxy.Pools[0]; p.Name != "default" || len(p.Targets) != 2 {
		t.Errorf("pool %+v", p)
	}
	// A flag beats its variable; upstreams come from the environment.
	cfg, err = ParseArgs([]string{"--addr", "127.0.0.1:1", "--cork-hits=off"}, env(map[string]string{
		"PEAKSHOP_EDGE_ADDR": "127.0.0.1:2", "PEAKSHOP_EDGE_UPSTREAMS": "http://127.0.0.1:3, http://127.0.0.1:4", "PEAKSHOP_EDGE_WAF": "off",
	}), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Addr != "127.0.0.1:1" || len(cfg.Proxy.Pools[0].Targets) != 2 || cfg.WAF.Mode != waf.ModeOff || cfg.CorkHits {
		t.Errorf("cfg %+v", cfg)
	}
	for _, bad := range [][]string{{}, {"--upstream", "x", "--waf=maybe"}, {"--upstream", "x", "--rate-rules=sometimes"}, {"--upstream", "x", "extra"}} {
		if _, err := ParseArgs(bad, env(nil), io.Discard); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
	if _, err := ParseArgs([]string{"-h"}, env(nil), io.Discard); !errors.Is(err, flag.ErrHelp) {
		t.Errorf("-h: %v", err)
	}
}

func TestRoutesFile(t *testing.T) {
	cfg, err := ParseArgs([]string{"--routes", "testdata/routes.json"}, env(nil), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if len(cfg.Proxy.Pools) != 3 || len(cfg.Proxy.Routes) != 2 {
		t.Fatalf("pools %d routes %d", len(cfg.Proxy.Pools), len(cfg.Proxy.Routes))
	}
	if hc := cfg.Proxy.Pools[0].HealthCheck; hc.Interval != 5*time.Second || hc.Unhealthy != 3 {
		t.Errorf("health check %+v", hc)
	}
	if cfg.Proxy.Routes[1].Splits[1].Weight != 5 || cfg.WAF.Paranoia != 2 || cfg.Guard.Deny[0] != "203.0.113.0/24" {
		t.Errorf("cfg %+v", cfg)
	}
	if r := cfg.RateLimit.Rules[0]; r.Block != 10*time.Minute || r.Limit != 600 {
		t.Errorf("rate rule %+v", r)
	}
	if cfg.Shed.TargetLatency != 300*time.Millisecond || cfg.Shed.CheckoutTargetLatency != 2*time.Second || cfg.WAF.Mode != waf.ModeDetect {
		t.Errorf("shed %+v", cfg.Shed)
	}
	if rt, pt := cfg.Proxy.Routes[0], cfg.Proxy.Pools[0].Timeouts; rt.Timeout != 8*time.Second || pt.IdleConn != time.Minute || pt.Request != 30*time.Second {
		t.Errorf("route timeout %v, pool timeouts %+v", rt.Timeout, pt)
	}
	if want := (ServerTimeouts{ReadHeader: 5 * time.Second, Read: 30 * time.Second, Write: time.Minute, Idle: 90 * time.Second}); cfg.Server != want {
		t.Errorf("server timeouts %+v, want %+v", cfg.Server, want)
	}
	// A flag or variable beats the file; the rest keep the file's values.
	cfg, err = ParseArgs([]string{"--routes", "testdata/routes.json", "--read-header-timeout", "2s"},
		env(map[string]string{"PEAKSHOP_EDGE_IDLE_TIMEOUT": "15s"}), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if want := (ServerTimeouts{ReadHeader: 2 * time.Second, Read: 30 * time.Second, Write: time.Minute, Idle: 15 * time.Second}); cfg.Server != want {
		t.Errorf("server timeouts %+v, want %+v", cfg.Server, want)
	}
	for _, bad := range [][]string{{"--routes", "testdata/routes.json", "--read-timeout", "-1s"}, {"--routes", "testdata/routes.json", "--idle-timeout", "soon"}} {
		if _, err := ParseArgs(bad, env(nil), io.Discard); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
	var c Config
	if err := LoadFile("testdata/nope.json", &c); err == nil {
		t.Error("missing file accepted")
	}
}
