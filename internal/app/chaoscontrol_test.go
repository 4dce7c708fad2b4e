package app_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/peakshop/peakshop/internal/app"
	"github.com/peakshop/peakshop/internal/chaos"
	"github.com/peakshop/peakshop/internal/domain/money"
	"github.com/peakshop/peakshop/internal/domain/payment"
)

// call sends one request to a full URL (the harness's do is for the shop's
// public port); an empty body sends none.
func call(tb testing.TB, method, url, body string, headers ...string) response {
	tb.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, url, rd)
	if err != nil {
		tb.Fatal(err)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	c := &http.Client{Timeout: 5 * time.Second}
	res, err := c.Do(req)
	if err != nil {
		tb.Fatalf("%s %s: %v", method, url, err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return response{Status: res.StatusCode, Header: res.Header, Body: b}
}

// charge asks the shop's own simulator for one charge with a good card.
func charge(tb testing.TB, s *shop, n int) error {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_, err := s.app.Payment.Charge(ctx, payment.ChargeRequest{IdempotencyKey: fmt.Sprintf("chaos-test-%d", n),
		OrderID: fmt.Sprintf("order-%d", n), Amount: money.Money{Amount: 1000, Currency: "USD"}, Token: "tok_visa"})
	return err
}

// TestChaosPaymentFaultReachesRunningShop runs a payment experiment through
// the chaos package against a started shop's control listener and checks
// that the shop's simulator fails every charge during the fault and none
// after the undo.
func TestChaosPaymentFaultReachesRunningShop(t *testing.T) {
	s := startShop(t, "sqlite:"+t.TempDir()+"/shop.db", func(c *app.Config) { c.ChaosAddr = "127.0.0.1:0" })
	ctl := "http://" + s.app.ChaosAddr()
	if !strings.HasPrefix(s.app.ChaosAddr(), "127.0.0.1:") {
		t.Fatalf("control listener on %q", s.app.ChaosAddr())
	}
	if err := charge(t, s, 0); err != nil {
		t.Fatalf("charge before the fault: %v", err)
	}
	exp, err := chaos.ParseExperiment([]byte(`{"name":"pay",
		"steady_state":[{"name":"health","path":"/healthz"}],
		"faults":[{"kind":"payment","duration":"300ms","rate":1}]}`))
	if err != nil {
		t.Fatal(err)
	}
	var during error
	res, err := chaos.Run(context.Background(), exp, chaos.Targets{BaseURL: s.base, Controls: []string{ctl}, AdminToken: adminToken},
		func(e chaos.Event) {
			if e.Phase == chaos.PhaseInject {
				during = charge(t, s, 1)
			}
		})
	if err != nil {
		t.Fatal(err)
	}
	if !errors.Is(during, payment.ErrUnavailable) {
		t.Errorf("charge during a failure_rate=1 fault: %v, want payment.ErrUnavailable", during)
	}
	if !res.SteadyStateBefore || !res.SteadyStateAfter || res.Aborted {
		t.Errorf("result %+v", res)
	}
	for i := 2; i < 7; i++ {
		if err := charge(t, s, i); err != nil {
			t.Fatalf("charge after the undo: %v", err)
		}
	}
}

func TestChaosControlWantsAdminToken(t *testing.T) {
	s := startShop(t, "sqlite:"+t.TempDir()+"/shop.db", func(c *app.Config) { c.ChaosAddr = "127.0.0.1:0" })
	url := "http://" + s.app.ChaosAddr() + chaos.PaymentPath
	for _, auth := range []string{"", "Bearer ", "Bearer wrong", "Basic " + adminToken, adminToken} {
		for _, method := range []string{"GET", "PUT", "DELETE"} {
			r := call(t, method, url, `{"failure_rate":1}`, "Authorization", auth, "Content-Type", "application/json")
			if r.Status != http.StatusUnauthorized || !strings.HasPrefix(r.Header.Get("Content-Type"), "application/problem+json") {
				t.Errorf("%s with Authorization %q: %d %s", method, auth, r.Status, r.Header.Get("Content-Type"))
			}
		}
	}
	// Unauthenticated callers cannot even probe which paths exist.
	if r := call(t, "GET", "http://"+s.app.ChaosAddr()+"/nowhere", ""); r.Status != http.StatusUnauthorized {
		t.Errorf("unknown path without token: %d", r.Status)
	}
	// The shop's public port has no chaos control.
	if r := call(t, "PUT", s.base+chaos.PaymentPath, `{"failure_rate":1}`, "Authorization", "Bearer "+adminToken, "Content-Type", "application/json"); r.Status/100 == 2 {
		t.Errorf("the public port accepted a chaos call: %d", r.Status)
	}
	if err := charge(t, s, 0); err != nil {
		t.Errorf("a refused call changed the simulator: %v", err)
	}
}

func TestChaosControlBadInput(t *testing.T) {
	s := startShop(t, "sqlite:"+t.TempDir()+"/shop.db", func(c *app.Config) {
		c.ChaosAddr = "127.0.0.1:0"
		c.PaymentLatency = 5 * time.Millisecond
	})
	url := "http://" + s.app.ChaosAddr() + chaos.PaymentPath
	auth := []string{"Authorization", "Bearer " + adminToken, "Content-Type", "application/json"}
	cases := []struct {
		body   string
		ctype  string
		status int
		fields []string
	}{
		{`{"failure_rate":1.5,"decline_rate":-1,"latency":"soon"}`, "", 422, []string{"latency", "failure_rate", "decline_rate"}},
		{`{"latency":"-1s"}`, "", 422, []string{"latency"}},
		{`{"failure_rate":"high"}`, "", 422, []string{"failure_rate"}},
		{`{"chaos":true}`, "", 422, []string{"chaos"}},
		{`{"failure_rate":0.5`, "", 400, nil},
		{`{}{}`, "", 400, nil},
		{`failure_rate=1`, "application/x-www-form-urlencoded", 415, nil},
	}
	for _, c := range cases {
		h := auth
		if c.ctype != "" {
			h = []string{"Authorization", "Bearer " + adminToken, "Content-Type", c.ctype}
		}
		r := call(t, "PUT", url, c.body, h...)
		if r.Status != c.status || !strings.HasPrefix(r.Header.Get("Content-Type"), "application/problem+json") {
			t.Errorf("PUT %s: %d %s, want %d problem+json", c.body, r.Status, r.Header.Get("Content-Type"), c.status)
			continue
		}
		for _, f := range c.fields {
			if !strings.Contains(string(r.Body), `"name":"`+f+`"`) {
				t.Errorf("PUT %s: problem %s does not name field %s", c.body, string(r.Body), f)
			}
		}
	}
	if r := call(t, "POST", url, `{}`, auth...); r.Status != http.StatusMethodNotAllowed || r.Header.Get("Allow") == "" {
		t.Errorf("POST: %d, Allow %q", r.Status, r.Header.Get("Allow"))
	}
	// Nothing bad was applied: the knobs are still the start values.
	r := call(t, "GET", url, "", auth...)
	if r.Status != 200 || !strings.Contains(string(r.Body), `"latency":"5ms"`) || !strings.Contains(string(r.Body), `"failure_rate":0,`) {
		t.Errorf("GET after bad input: %d %s", r.Status, string(r.Body))
	}
	// A good PUT, then DELETE restores the start values.
	if r := call(t, "PUT", url, `{"latency":"1s","decline_rate":0.5}`, auth...); r.Status != 200 {
		t.Fatalf("PUT: %d %s", r.Status, string(r.Body))
	}
	if r := call(t, "DELETE", url, "", auth...); r.Status != 200 || !strings.Contains(string(r.Body), `"latency":"5ms"`) || !strings.Contains(string(r.Body), `"decline_rate":0`) {
		t.Errorf("DELETE: %d %s", r.Status, string(r.Body))
	}
}
