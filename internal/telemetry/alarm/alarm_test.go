package alarm_test

import (
	"bufio"
	"context"
	"encoding/json"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/peakshop/peakshop/internal/messaging/mailer"
	"github.com/peakshop/peakshop/internal/telemetry/alarm"
)

func TestDefaultsAreValidAndRoundTrip(t *testing.T) {
	f := alarm.Defaults()
	b, err := json.Marshal(f)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "rules.json")
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
	g, err := alarm.Load(path)
	if err != nil {
		t.Fatalf("load defaults back: %v", err)
	}
	if len(g.Rules) != len(f.Rules) || g.Period != f.Period {
		t.Fatalf("round trip changed the rules: %d rules, period %v", len(g.Rules), g.Period)
	}
}

func TestLoadRejectsBadRules(t *testing.T) {
	for name, rules := range map[string]string{
		"n greater than m": `{"period":"1m","rules":[{"name":"a","signal":{"kind":"rate","metric":"x"},"comparison":">","datapoints":3,"periods":2}]}`,
		"bad comparison":   `{"period":"1m","rules":[{"name":"a","signal":{"kind":"rate","metric":"x"},"comparison":"!=","datapoints":1,"periods":1}]}`,
		"bad kind":         `{"period":"1m","rules":[{"name":"a","signal":{"kind":"avg","metric":"x"},"comparison":">","datapoints":1,"periods":1}]}`,
		"bad regexp":       `{"period":"1m","rules":[{"name":"a","signal":{"kind":"rate","metric":"x","match":{"code":"("}},"comparison":">","datapoints":1,"periods":1}]}`,
	} {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "rules.json")
			if err := os.WriteFile(path, []byte(rules), 0o600); err != nil {
				t.Fatal(err)
			}
			if _, err := alarm.Load(path); err == nil {
				t.Fatal("bad rules were accepted")
			}
		})
	}
}

// TestNOfM drives a 5xx ratio rule (2 of 3 periods above 10%) through its
// states with a real registry, and checks the webhook, the e-mail and the
// action hook hear about each change.
func TestNOfM(t *testing.T) {
	reg := prometheus.NewRegistry()
	reqs := prometheus.NewCounterVec(prometheus.CounterOpts{Name: "req_total"}, []string{"code"})
	reg.MustRegister(reqs)
	hooks := make(chan alarm.Transition, 10)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var tr alarm.Transition
		if err := json.NewDecoder(r.Body).Decode(&tr); err != nil {
			t.Errorf("webhook body: %v", err)
		}
		hooks <- tr
	}))
	defer srv.Close()
	mails := fakeSMTP(t)
	rule := alarm.Rule{
		Name: "errors", Severity: "page",
		Signal:     alarm.Signal{Kind: "ratio", Metric: "req_total", Match: map[string]string{"code": "5.."}, Denominator: "req_total"},
		Comparison: ">", Threshold: 0.1, Datapoints: 2, Periods: 3,
		Webhooks: []string{srv.URL + "/hook"}, Emails: []string{"ops@example.test"}, Actions: []string{"scale-out"},
	}
	e, err := alarm.New(alarm.Config{
		Rules:    alarm.File{Period: alarm.Duration(time.Hour), Rules: []alarm.Rule{rule}},
		Source:   reg,
		Notifier: &alarm.Notifiers{SMTP: &mailer.SMTP{Addr: mails.addr}, From: "shop@example.test"},
	})
	if err != nil {
		t.Fatal(err)
	}
	actions := make(chan alarm.Transition, 10)
	e.OnAction("scale-out", func(_ context.Context, tr alarm.Transition) { actions <- tr })
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); e.Run(ctx) }() // delivers notifications; its hourly tick never comes
	defer func() { cancel(); <-done }()

	now := time.Now()
	period := func(ok, failed float64) alarm.State {
		reqs.WithLabelValues("200").Add(ok)
		reqs.WithLabelValues("503").Add(failed)
		now = now.Add(time.Minute)
		e.Evaluate(now)
		return e.Statuses()[0].State
	}
	if s := e.Statuses()[0].State; s != alarm.InsufficientData {
		t.Fatalf("before any period: %s", s)
	}
	steps := []struct {
		ok, failed float64
		want       alarm.State
	}{
		{0, 0, alarm.InsufficientData}, // no traffic: no data, not 0%
		{95, 5, alarm.OK},
		{50, 50, alarm.OK}, // 1 of 3 breaching
		{50, 50, alarm.Alarm},
		{100, 0, alarm.Alarm}, // still 2 of the last 3
		{100, 0, alarm.OK},
	}
	for i, s := range steps {
		if got := period(s.ok, s.failed); got != s.want {
			t.Fatalf("step %d: state %s, want %s (%s)", i, got, s.want, e.Statuses()[0].Reason)
		}
	}
	for _, want := range []alarm.State{alarm.OK, alarm.Alarm, alarm.OK} {
		if tr := <-hooks; tr.To != want || tr.Alarm != "errors" {
			t.Fatalf("webhook got %+v, want a change to %s", tr, want)
		}
		if tr := <-actions; tr.To != want {
			t.Fatalf("action got %+v, want a change to %s", tr, want)
		}
		if m := <-mails.msgs; !strings.Contains(m, "Subject: [peakshop page] errors is "+string(want)) {
			t.Fatalf("mail for %s:\n%s", want, m)
		}
	}
}

type smtpSink struct {
	addr string
	msgs chan string
}

// fakeSMTP is the smallest SMTP server net/smtp will talk to, on loopback.
func fakeSMTP(t *testing.T) smtpSink {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	sink := smtpSink{addr: ln.Addr().String(), msgs: make(chan string, 10)}
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				_ = c.SetDeadline(time.Now().Add(10 * time.Second))
				r := bufio.NewReader(c)
				say := func(s string) { _, _ = c.Write([]byte(s + "\r\n")) }
				say("220 fake")
				var data strings.Builder
				for {
					line, err := r.ReadString('\n')
					if err != nil {
						return
					}
					cmd := strings.ToUpper(strings.TrimSpace(line))
					switch {
					case strings.HasPrefix(cmd, "EHLO"), strings.HasPrefix(cmd, "HELO"):
						say("250 fake")
					case cmd == "DATA":
						say("354 go on")
						for {
							l, err := r.ReadString('\n')
							if err != nil || l == ".\r\n" {
								break
							}
							data.WriteString(l)
						}
						sink.msgs <- data.String()
						say("250 queued")
					case cmd == "QUIT":
						say("221 bye")
						return
					default:
						say("250 ok")
					}
				}
			}()
		}
	}()
	return sink
}

// TestMailGivesShopTime checks an alarm e-mail gives the time of the change
// in the shop's zone beside UTC, and UTC alone for a shop on UTC.
func TestMailGivesShopTime(t *testing.T) {
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 11, 27, 23, 30, 0, 0, time.UTC)
	for _, c := range []struct {
		loc       *time.Location
		want, not string
	}{
		{berlin, "at 2026-11-27T23:30:00Z (2026-11-28 00:30:00 CET, Europe/Berlin).", ""},
		{nil, "at 2026-11-27T23:30:00Z.", "("},
		{time.UTC, "at 2026-11-27T23:30:00Z.", "("},
	} {
		mails := fakeSMTP(t)
		n := &alarm.Notifiers{SMTP: &mailer.SMTP{Addr: mails.addr}, From: "shop@example.test", Location: c.loc}
		rule := alarm.Rule{Name: "errors", Severity: "page", Emails: []string{"ops@example.test"}}
		if err := n.Notify(context.Background(), rule, alarm.Transition{Alarm: "errors", Severity: "page", From: alarm.OK, To: alarm.Alarm, At: at}); err != nil {
			t.Fatal(err)
		}
		m := <-mails.msgs
		line := m[strings.Index(m, "errors changed"):]
		line = line[:strings.IndexByte(line, '\n')]
		if !strings.Contains(line, c.want) || c.not != "" && strings.Contains(line, c.not) {
			t.Errorf("zone %v: mail says %q, want %q", c.loc, line, c.want)
		}
	}
}
