package chaos

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

func mustParse(tb testing.TB, s string) Experiment {
	tb.Helper()
	exp, err := ParseExperiment([]byte(s))
	if err != nil {
		tb.Fatal(err)
	}
	return exp
}

// okServer answers 200 to everything.
func okServer(tb testing.TB) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	tb.Cleanup(srv.Close)
	return srv
}

// controlStub stands in for a process's chaos-control listener (the real
// one is tested in internal/app). It records the knobs and fails PUTs when
// told to.
type controlStub struct {
	mu      sync.Mutex
	current PaymentSettings
	calls   []string
	failPut bool
}

func (c *controlStub) start(tb testing.TB) string {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer tok" || r.URL.Path != PaymentPath {
			http.Error(w, "no", http.StatusUnauthorized)
			return
		}
		c.mu.Lock()
		defer c.mu.Unlock()
		c.calls = append(c.calls, r.Method)
		switch r.Method {
		case http.MethodPut:
			if c.failPut {
				w.Header().Set("Content-Type", "application/problem+json")
				w.WriteHeader(http.StatusConflict)
				fmt.Fprint(w, `{"status":409,"detail":"no simulator here"}`)
				return
			}
			_ = json.NewDecoder(r.Body).Decode(&c.current)
		case http.MethodDelete:
			c.current = PaymentSettings{}
		}
	}))
	tb.Cleanup(srv.Close)
	return srv.URL
}

func (c *controlStub) state() (PaymentSettings, []string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.current, append([]string(nil), c.calls...)
}

// phases lists "fault target phase" for each event.
func phases(evs []Event) []string {
	var out []string
	for _, e := range evs {
		out = append(out, e.Fault+" "+e.Target+" "+e.Phase)
	}
	return out
}

func hasEvent(evs []Event, fault, target, phase string) bool {
	for _, e := range evs {
		if e.Fault == fault && e.Target == target && e.Phase == phase {
			return true
		}
	}
	return false
}

func TestRunInjectsAndUndoesOnSchedule(t *testing.T) {
	db := mustLink(t, echoServer(t))
	nats := mustLink(t, echoServer(t))
	worker := startSleeper(t, "worker")
	ctl := &controlStub{}
	exp := mustParse(t, `{"name":"schedule",
		"steady_state":[{"name":"home","path":"/","every":"50ms"}],
		"faults":[
			{"kind":"latency","target":"app-db","start":"0s","duration":"300ms","latency":"100ms"},
			{"kind":"cut","target":"app-nats","start":"100ms","duration":"200ms"},
			{"kind":"freeze","target":"worker","start":"0s","duration":"200ms"},
			{"kind":"kill","target":"worker","start":"250ms","duration":"150ms"},
			{"kind":"payment","start":"50ms","duration":"200ms","latency":"2s","rate":0.2}
		],"recovery":"2s"}`)
	oldPID := worker.PID()
	var mu sync.Mutex
	var seen []string // what held at each inject, checked from onEvent
	onEvent := func(e Event) {
		mu.Lock()
		defer mu.Unlock()
		if e.Phase != PhaseInject {
			return
		}
		switch e.Fault {
		case KindLatency:
			seen = append(seen, fmt.Sprintf("latency toxics=%d", len(db.Toxics())))
		case KindCut:
			seen = append(seen, fmt.Sprintf("cut enabled=%t", nats.Enabled()))
		case KindFreeze:
			// SIGSTOP takes effect asynchronously; give it a moment.
			st := procState(worker.PID())
			for i := 0; i < 100 && st != "T" && st != "t"; i++ {
				time.Sleep(time.Millisecond)
				st = procState(worker.PID())
			}
			seen = append(seen, "freeze state="+st)
		case KindPayment:
			s, _ := ctl.state()
			seen = append(seen, fmt.Sprintf("payment rate=%v", s.FailureRate))
		}
	}
	start := time.Now()
	res, err := Run(context.Background(), exp, Targets{
		BaseURL: okServer(t).URL, Processes: map[string]Process{"worker": worker},
		Links:    map[string]*Link{"app-db": db, "app-nats": nats},
		Controls: []string{ctl.start(t)}, AdminToken: "tok",
	}, onEvent)
	if err != nil {
		t.Fatal(err)
	}
	if took := time.Since(start); took < 400*time.Millisecond || took > 5*time.Second {
		t.Errorf("run took %s, want about 400ms", took)
	}
	if !res.SteadyStateBefore || !res.SteadyStateAfter || res.Aborted {
		t.Errorf("result %+v", res)
	}
	mu.Lock()
	got := strings.Join(seen, "; ")
	mu.Unlock()
	for _, want := range []string{"latency toxics=2", "cut enabled=false", "payment rate=0.2"} {
		if !strings.Contains(got, want) {
			t.Errorf("at injection saw %q, want %q", got, want)
		}
	}
	if !strings.Contains(got, "freeze state=T") && !strings.Contains(got, "freeze state=t") {
		t.Errorf("worker not stopped while frozen: %q", got)
	}
	for _, f := range []struct{ kind, target string }{{"latency", "app-db"}, {"cut", "app-nats"}, {"freeze", "worker"}, {"kill", "worker"}, {"payment", "payment-simulator"}} {
		if !hasEvent(res.Events, f.kind, f.target, PhaseInject) || !hasEvent(res.Events, f.kind, f.target, PhaseUndo) {
			t.Errorf("%s %s: want an inject and an undo event; events: %v", f.kind, f.target, phases(res.Events))
		}
	}
	if len(db.Toxics()) != 0 || !nats.Enabled() {
		t.Errorf("links not restored: db toxics %v, nats enabled %t", db.Toxics(), nats.Enabled())
	}
	if worker.PID() == oldPID || !worker.Running() {
		t.Errorf("worker not restarted: pid %d (was %d), running %t", worker.PID(), oldPID, worker.Running())
	}
	if s, calls := ctl.state(); s != (PaymentSettings{}) || strings.Join(calls, ",") != "PUT,DELETE" {
		t.Errorf("payment control: %+v after calls %v", s, calls)
	}
}

// TestRunInterruptUndoesEverything cancels the run while every kind of
// fault is in force, as SIGINT does, and checks nothing is left behind.
func TestRunInterruptUndoesEverything(t *testing.T) {
	db := mustLink(t, echoServer(t))
	nats := mustLink(t, echoServer(t))
	redis := mustLink(t, echoServer(t))
	pay := mustLink(t, echoServer(t))
	worker := startSleeper(t, "worker")
	app := startSleeper(t, "app")
	ctl := &controlStub{}
	exp := mustParse(t, `{"name":"interrupt",
		"faults":[
			{"kind":"latency","target":"app-db","duration":"1m","latency":"100ms","jitter":"10ms"},
			{"kind":"errors","target":"app-redis","duration":"1m","rate":0.5},
			{"kind":"blackhole","target":"payment","duration":"1m"},
			{"kind":"cut","target":"app-nats","duration":"1m"},
			{"kind":"freeze","target":"worker","duration":"1m"},
			{"kind":"kill","target":"app"},
			{"kind":"payment","duration":"1m","decline_rate":1}
		]}`)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	injected := 0
	appPID := app.PID()
	res, err := Run(ctx, exp, Targets{
		Processes: map[string]Process{"worker": worker, "app": app},
		Links:     map[string]*Link{"app-db": db, "app-nats": nats, "app-redis": redis, "payment": pay},
		Controls:  []string{ctl.start(t)}, AdminToken: "tok",
	}, func(e Event) {
		if e.Phase == PhaseInject {
			if injected++; injected == len(exp.Faults) {
				waitState(t, worker.PID(), "Tt") // everything is in force
				cancel()
			}
		}
	})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Run after cancel: %v, want context.Canceled", err)
	}
	if !res.Aborted || res.AbortReason != "interrupted" {
		t.Errorf("result: aborted %t reason %q", res.Aborted, res.AbortReason)
	}
	for name, l := range map[string]*Link{"app-db": db, "app-nats": nats, "app-redis": redis, "payment": pay} {
		if len(l.Toxics()) != 0 || !l.Enabled() {
			t.Errorf("link %s after interrupt: toxics %v, enabled %t", name, l.Toxics(), l.Enabled())
		}
		mustEcho(t, mustDial(t, l.Addr()))
	}
	waitState(t, worker.PID(), "RS")
	if worker.Frozen() {
		t.Error("worker still frozen")
	}
	if app.PID() == appPID || !app.Running() {
		t.Errorf("killed app not restarted: pid %d (was %d)", app.PID(), appPID)
	}
	waitState(t, app.PID(), "RS")
	if s, calls := ctl.state(); s != (PaymentSettings{}) || calls[len(calls)-1] != "DELETE" {
		t.Errorf("payment control after interrupt: %+v, calls %v", s, calls)
	}
	// The freeze is thawed before anything else is undone.
	var undos []string
	for _, e := range res.Events {
		if e.Phase == PhaseUndo {
			undos = append(undos, e.Fault)
		}
	}
	if len(undos) != len(exp.Faults) || undos[0] != KindFreeze {
		t.Errorf("undo order %v: want every fault undone, the freeze first", undos)
	}
}

func TestRunAbortRuleFires(t *testing.T) {
	// The probes reach the shop through a link; cutting it fails them.
	shop := okServer(t)
	front := mustLink(t, strings.TrimPrefix(shop.URL, "http://"))
	exp := mustParse(t, `{"name":"abort",
		"steady_state":[{"name":"home","path":"/","every":"50ms","timeout":"300ms"}],
		"faults":[{"kind":"cut","target":"edge-link","start":"100ms","duration":"30s"}],
		"abort":[{"probe":"home","failures_in_a_row":3}],"recovery":"3s"}`)
	start := time.Now()
	res, err := Run(context.Background(), exp, Targets{BaseURL: "http://" + front.Addr(),
		Links: map[string]*Link{"edge-link": front}, HTTPClient: &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if took := time.Since(start); took > 10*time.Second {
		t.Errorf("aborted run took %s; the abort did not cut the 30s fault short", took)
	}
	if !res.Aborted || !strings.Contains(res.AbortReason, "probe home failed 3 times in a row") {
		t.Errorf("aborted %t, reason %q", res.Aborted, res.AbortReason)
	}
	fails := 0
	for _, e := range res.Events {
		if e.Phase == PhaseProbeFail {
			fails++
		}
	}
	if fails != 3 {
		t.Errorf("%d probe_fail events, want exactly 3 before the abort; %v", fails, phases(res.Events))
	}
	if !front.Enabled() || !res.SteadyStateAfter {
		t.Errorf("after the abort: link enabled %t, steady state after %t", front.Enabled(), res.SteadyStateAfter)
	}
	if !hasEvent(res.Events, "cut", "edge-link", PhaseUndo) {
		t.Errorf("no undo of the cut: %v", phases(res.Events))
	}
}

func TestRunRefusesWithoutSteadyState(t *testing.T) {
	bad := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(503) }))
	defer bad.Close()
	l := mustLink(t, echoServer(t))
	exp := mustParse(t, `{"steady_state":[{"name":"ready","path":"/readyz"}],
		"faults":[{"kind":"cut","target":"l","duration":"1s"}]}`)
	res, err := Run(context.Background(), exp, Targets{BaseURL: bad.URL, Links: map[string]*Link{"l": l}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.SteadyStateBefore || !res.Aborted || !strings.Contains(res.AbortReason, "answered 503, want 200") {
		t.Errorf("result %+v", res)
	}
	for _, e := range res.Events {
		if e.Phase == PhaseInject {
			t.Errorf("a fault was injected into a shop not in its steady state: %+v", e)
		}
	}
}

func TestRunRefusesUnknownTargets(t *testing.T) {
	exp := mustParse(t, `{"faults":[{"kind":"cut","target":"app-db","duration":"1s"},{"kind":"kill","target":"edge"},
		{"kind":"payment","duration":"1s","rate":0.1},{"kind":"fill_queue","count":10}]}`)
	_, err := Run(context.Background(), exp, Targets{}, nil)
	if err == nil {
		t.Fatal("no error")
	}
	for _, want := range []string{`faults[0].target: no link named "app-db"`, `faults[1].target: no process named "edge"`, "faults[2]: a payment fault needs at least one chaos-control URL", "faults[3]: a fill_queue fault needs a NATS URL"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not say %q", err, want)
		}
	}
}

// TestRunFailedInjectionUndoesEverything: the second control refuses the
// payment fault; the first, already set, and the earlier link fault are
// undone, and Run says why.
func TestRunFailedInjectionUndoesEverything(t *testing.T) {
	db := mustLink(t, echoServer(t))
	good, refusing := &controlStub{}, &controlStub{failPut: true}
	exp := mustParse(t, `{"faults":[
		{"kind":"latency","target":"app-db","duration":"1m","latency":"10ms"},
		{"kind":"payment","start":"50ms","duration":"1m","rate":0.5}]}`)
	start := time.Now()
	res, err := Run(context.Background(), exp, Targets{Links: map[string]*Link{"app-db": db},
		Controls: []string{good.start(t), refusing.start(t)}, AdminToken: "tok"}, nil)
	if err == nil || !strings.Contains(err.Error(), "409 no simulator here") {
		t.Fatalf("Run: %v, want the control's refusal", err)
	}
	if time.Since(start) > 5*time.Second || !res.Aborted {
		t.Errorf("aborted %t after %s", res.Aborted, time.Since(start))
	}
	if len(db.Toxics()) != 0 {
		t.Errorf("latency left on the link: %v", db.Toxics())
	}
	if s, calls := good.state(); s != (PaymentSettings{}) || strings.Join(calls, ",") != "PUT,DELETE" {
		t.Errorf("the control that took the fault: %+v, calls %v", s, calls)
	}
	if !hasEvent(res.Events, "payment", "payment-simulator", PhaseError) {
		t.Errorf("no error event: %v", phases(res.Events))
	}
}

// TestRunReportsFailedUndo: someone takes the cut link's port while it is
// down, so it cannot listen again; Run must say so, not claim success.
func TestRunReportsFailedUndo(t *testing.T) {
	l := mustLink(t, echoServer(t))
	addr := l.Addr()
	exp := mustParse(t, `{"faults":[{"kind":"cut","target":"l","duration":"100ms"}]}`)
	var squatter net.Listener
	res, err := Run(context.Background(), exp, Targets{Links: map[string]*Link{"l": l}}, func(e Event) {
		if e.Phase == PhaseInject {
			var lerr error
			if squatter, lerr = net.Listen("tcp", addr); lerr != nil {
				t.Errorf("take the port: %v", lerr)
			}
		}
	})
	if squatter != nil {
		defer squatter.Close()
	}
	if err == nil || !strings.Contains(err.Error(), "undo cut l") {
		t.Fatalf("Run: %v, want the failed undo", err)
	}
	if !hasEvent(res.Events, "cut", "l", PhaseError) {
		t.Errorf("no error event: %v", phases(res.Events))
	}
	squatter.Close()
	if err := l.Restore(); err != nil {
		t.Fatalf("Restore once the port is free: %v", err)
	}
	mustEcho(t, mustDial(t, addr))
}

// An experiment built in code (as rehearse does) gets the file's defaults.
func TestRunDefaultsAnExperimentBuiltInCode(t *testing.T) {
	l := mustLink(t, echoServer(t))
	exp := Experiment{Name: "code", SteadyState: []Probe{{Name: "home", Path: "/"}},
		Faults: []Fault{{Kind: KindLatency, Target: "l", Duration: Duration(50 * time.Millisecond), Latency: Duration(time.Millisecond)}}}
	res, err := Run(context.Background(), exp, Targets{BaseURL: okServer(t).URL, Links: map[string]*Link{"l": l}}, nil)
	if err != nil || !res.SteadyStateBefore || !res.SteadyStateAfter {
		t.Fatalf("Run: %v, %+v", err, res)
	}
	if exp.SteadyState[0].Method != "" {
		t.Error("Run changed the caller's experiment")
	}
}

func TestCheckLocal(t *testing.T) {
	for _, a := range []string{"http://127.0.0.1:8080", "nats://[::1]:4222", "127.0.0.1:5432", "http://localhost:1"} {
		if err := CheckLocal(context.Background(), a); err != nil {
			t.Errorf("%s: %v", a, err)
		}
	}
	for _, a := range []string{"http://192.0.2.1", "10.0.0.1:5432", "nats://0.0.0.0:4222", "http://", ":8080"} {
		if err := CheckLocal(context.Background(), a); err == nil {
			t.Errorf("%s accepted", a)
		}
	}
}
