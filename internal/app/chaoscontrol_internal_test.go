package app

import (
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/peakshop/peakshop/internal/chaos"
	"github.com/peakshop/peakshop/internal/payments/simulator"
)

func TestChaosControlRefusesNonLoopback(t *testing.T) {
	logger := slog.New(slog.DiscardHandler)
	for _, addr := range []string{":0", "0.0.0.0:0", "[::]:0", "192.0.2.1:0", "example.com:0", "127.0.0.1"} {
		c, err := startChaosControl(Config{ChaosAddr: addr, AdminToken: "t"}, nil, simulator.New(simulator.Options{}), logger)
		if err == nil {
			c.close()
			t.Errorf("--chaos-addr %q was accepted", addr)
		}
	}
	for _, addr := range []string{"127.0.0.1:0", "localhost:0"} {
		c, err := startChaosControl(Config{ChaosAddr: addr, AdminToken: "t"}, nil, simulator.New(simulator.Options{}), logger)
		if err != nil {
			t.Errorf("--chaos-addr %q: %v", addr, err)
			continue
		}
		c.close()
	}
	if c, err := startChaosControl(Config{}, nil, nil, logger); c != nil || err != nil {
		t.Errorf("without --chaos-addr: %v, %v; want off", c, err)
	}
}

// The worker has no admin store: it wants PEAKSHOP_ADMIN_TOKEN and checks
// requests against it.
func TestChaosControlWorkerToken(t *testing.T) {
	logger := slog.New(slog.DiscardHandler)
	t.Setenv("PEAKSHOP_ADMIN_TOKEN", "")
	if c, err := startChaosControl(Config{ChaosAddr: "127.0.0.1:0"}, nil, simulator.New(simulator.Options{}), logger); err == nil || !strings.Contains(err.Error(), "PEAKSHOP_ADMIN_TOKEN") {
		c.close()
		t.Fatalf("worker without a token: %v", err)
	}
	t.Setenv("PEAKSHOP_ADMIN_TOKEN", "worker-secret")
	c, err := startChaosControl(Config{ChaosAddr: "127.0.0.1:0", PaymentFailureRate: 0.1}, nil, simulator.New(simulator.Options{}), logger)
	if err != nil {
		t.Fatal(err)
	}
	defer c.close()
	url := "http://" + c.Addr() + chaos.PaymentPath
	if st, _ := send(t, "GET", url, "Bearer nope", ""); st != http.StatusUnauthorized {
		t.Errorf("wrong token: %d", st)
	}
	if st, body := send(t, "PUT", url, "Bearer worker-secret", `{"failure_rate":0.3}`); st != 200 || !strings.Contains(body, `"failure_rate":0.3`) {
		t.Errorf("PUT with the token: %d %s", st, body)
	}
	if st, body := send(t, "DELETE", url, "Bearer worker-secret", ""); st != 200 || !strings.Contains(body, `"failure_rate":0.1`) {
		t.Errorf("DELETE restores the start value: %d %s", st, body)
	}
}

// With a real provider there is no simulator to turn: 409, not a silent no-op.
func TestChaosControlWithoutSimulator(t *testing.T) {
	var none *simulator.Simulator // what App.Payment is with --payments=stripe
	c, err := startChaosControl(Config{ChaosAddr: "127.0.0.1:0"}, func(tok string) bool { return tok == "adm" }, none, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	defer c.close()
	url := "http://" + c.Addr() + chaos.PaymentPath
	for _, m := range []string{"GET", "PUT", "DELETE"} {
		if st, body := send(t, m, url, "Bearer adm", `{"failure_rate":0.3}`); st != http.StatusConflict || !strings.Contains(body, "simulator") {
			t.Errorf("%s without a simulator: %d %s", m, st, body)
		}
	}
}

func send(tb testing.TB, method, url, auth, body string) (int, string) {
	tb.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		tb.Fatal(err)
	}
	req.Header.Set("Authorization", auth)
	req.Header.Set("Content-Type", "application/json")
	res, err := (&http.Client{Timeout: 5 * time.Second}).Do(req)
	if err != nil {
		tb.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}
