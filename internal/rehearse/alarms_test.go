package rehearse

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/peakshop/peakshop/internal/telemetry/alarm"
)

// The poller turns polled states into changes and ALARM windows: the first
// look is the starting point, an alarm that clears closes its window, one
// still firing at the end lasts until then, and a wrong token is counted
// as a failed poll rather than a state.
func TestAlarmPoller(t *testing.T) {
	var mu sync.Mutex
	states := map[string]alarm.State{"http-5xx-rate": alarm.InsufficientData, "queue-lag": alarm.OK}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer tok" || r.URL.Path != "/console/api/alarms" {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		mu.Lock()
		defer mu.Unlock()
		var body struct{ Alarms []alarm.Status }
		for name, st := range states {
			body.Alarms = append(body.Alarms, alarm.Status{Rule: alarm.Rule{Name: name, Severity: "page"}, State: st})
		}
		_ = json.NewEncoder(w).Encode(body)
	}))
	defer srv.Close()
	set := func(name string, st alarm.State) {
		mu.Lock()
		states[name] = st
		mu.Unlock()
	}
	p := newAlarmPoller(srv.URL, "tok", time.Hour)
	ctx := context.Background()
	p.poll(ctx)
	set("http-5xx-rate", alarm.Alarm)
	set("queue-lag", alarm.Alarm)
	p.poll(ctx)
	set("http-5xx-rate", alarm.OK)
	p.poll(ctx)
	p.poll(ctx) // no change
	end := time.Now().Add(time.Minute)
	changes, windows, fails, _ := p.result(end)
	if len(changes) != 3 || fails != 0 {
		t.Fatalf("changes = %+v, failed polls %d", changes, fails)
	}
	if len(windows) != 2 {
		t.Fatalf("windows = %+v", windows)
	}
	for _, w := range windows {
		switch w.Name {
		case "http-5xx-rate":
			if !w.End.After(w.Start) || !w.End.Before(end) {
				t.Errorf("cleared alarm window = %+v", w)
			}
		case "queue-lag":
			if !w.End.Equal(end) || w.Severity != "page" {
				t.Errorf("alarm still firing = %+v, want it to last until the end", w)
			}
		}
	}
	bad := newAlarmPoller(srv.URL, "wrong", time.Hour)
	bad.poll(ctx)
	if c, _, fails, last := bad.result(end); len(c) != 0 || fails != 1 || last == "" {
		t.Errorf("wrong token: changes %v, failed polls %d (%q)", c, fails, last)
	}
}
