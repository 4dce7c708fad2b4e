package loadgen_test

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/peakshop/peakshop/internal/loadgen"
)

// trivial is a server that answers every request and counts them, and
// refuses requests that are not marked synthetic.
func trivial(tb testing.TB) (string, *atomic.Int64) {
	tb.Helper()
	var n atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		if r.Header.Get("Baggage") != "synthetic=true" {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		http.SetCookie(w, &http.Cookie{Name: "seen", Value: "1"})
		if _, err := r.Cookie("seen"); err != nil && r.URL.Path == "/second" {
			w.WriteHeader(http.StatusUnauthorized) // the session lost its cookie
		}
	}))
	tb.Cleanup(srv.Close)
	return srv.URL, &n
}

func scenario(tb testing.TB, js string) *loadgen.Scenario {
	tb.Helper()
	s, err := loadgen.ParseScenario(strings.NewReader(js))
	if err != nil {
		tb.Fatal(err)
	}
	return s
}

// Every arrival of the schedule is sent, however the server behaves: the
// count of sessions equals the schedule's, not what fitted into the time.
func TestRunSendsTheWholeSchedule(t *testing.T) {
	base, served := trivial(t)
	sc := scenario(t, `{"name":"t","profile":{"kind":"ramp","rate":300,"start_rate":100},"duration":"1500ms",
	  "journeys":[{"name":"two","weight":1,"steps":["get /first","get /second"]}],"slo":{"max_error_rate":0}}`)
	prof, err := sc.Profile.Build(sc.Duration.D(), nil)
	if err != nil {
		t.Fatal(err)
	}
	var want int64
	for _, n := range loadgen.PerSecond(prof, sc.Duration.D()) {
		want += int64(n)
	}
	var progress bytes.Buffer
	res, err := loadgen.Run(context.Background(), loadgen.Config{Target: base, Scenario: sc, Profile: prof,
		Logger: quietLogger(), Progress: loadgen.NewProgress(&progress)})
	if err != nil {
		t.Fatal(err)
	}
	if res.Arrivals != want || res.Funnel.Sessions != want || res.Requests != 2*want || served.Load() != 2*want {
		t.Fatalf("schedule %d sessions; ran %d arrivals, %d sessions, %d requests, server saw %d",
			want, res.Arrivals, res.Funnel.Sessions, res.Requests, served.Load())
	}
	if err := res.Missed(); err != nil || res.StoppedBy != loadgen.StopDuration {
		t.Fatalf("%v, stopped by %s, errors %v", err, res.StoppedBy, res.Errors)
	}
	if len(res.Timeline) == 0 {
		t.Error("no timeline")
	}
}

func TestRunStopsAtTheRequestBudget(t *testing.T) {
	base, served := trivial(t)
	sc := scenario(t, `{"name":"t","profile":{"kind":"constant","rate":2000},"duration":"1m","max_requests":50,
	  "journeys":[{"name":"one","weight":1,"steps":["home"]}]}`)
	res, err := loadgen.Run(context.Background(), loadgen.Config{Target: base, Scenario: sc,
		Profile: loadgen.Constant{PerSec: 2000}, Logger: quietLogger()})
	if err != nil {
		t.Fatal(err)
	}
	if res.StoppedBy != loadgen.StopMaxRequests || res.Requests > 50 || served.Load() > 50 {
		t.Fatalf("stopped by %s after %d requests (server saw %d)", res.StoppedBy, res.Requests, served.Load())
	}
}

func TestRunStopsWhenCancelled(t *testing.T) {
	base, _ := trivial(t)
	sc := scenario(t, `{"name":"t","profile":{"kind":"constant","rate":100},"duration":"1h",
	  "journeys":[{"name":"one","weight":1,"steps":["home"]}]}`)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	res, err := loadgen.Run(ctx, loadgen.Config{Target: base, Scenario: sc, Profile: loadgen.Constant{PerSec: 100}, Logger: quietLogger()})
	if err != nil {
		t.Fatal(err)
	}
	if res.StoppedBy != loadgen.StopInterrupted {
		t.Fatalf("stopped by %s", res.StoppedBy)
	}
}

func TestCheckTarget(t *testing.T) {
	ctx := context.Background()
	for target, ok := range map[string]bool{
		"http://127.0.0.1:8080": true, "http://[::1]:80": true, "http://localhost:1": true,
		"http://192.0.2.1": false, "ftp://127.0.0.1": false, "127.0.0.1:80": false, "http://10.0.0.1/": false,
	} {
		if err := loadgen.CheckTarget(ctx, target, false); (err == nil) != ok {
			t.Errorf("%s: %v", target, err)
		}
	}
	if err := loadgen.CheckTarget(ctx, "http://192.0.2.1", true); err != nil {
		t.Errorf("--allow-remote: %v", err)
	}
}

// A generator that cannot keep up (one shopper, a slow server) still stops
// at the end of the schedule plus the graceful stop, and accounts for every
// scheduled arrival: sent (late) or never sent.
func TestRunBehindScheduleIsBoundedAndCounted(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { time.Sleep(50 * time.Millisecond) }))
	t.Cleanup(srv.Close)
	sc := scenario(t, `{"name":"t","profile":{"kind":"constant","rate":100},"duration":"300ms","graceful_stop":"200ms",
	  "max_shoppers":1,"journeys":[{"name":"one","weight":1,"steps":["home"]}]}`)
	res, err := loadgen.Run(context.Background(), loadgen.Config{Target: srv.URL, Scenario: sc,
		Profile: loadgen.Constant{PerSec: 100}, Logger: quietLogger()})
	if err != nil {
		t.Fatal(err)
	}
	if res.Arrivals+res.Unsent != 30 || res.Unsent == 0 || res.LateArrivals == 0 {
		t.Fatalf("30 scheduled: %d sent (%d late), %d unsent", res.Arrivals, res.LateArrivals, res.Unsent)
	}
}
