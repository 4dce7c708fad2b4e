package challenge

import (
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"
)

var noncePattern = regexp.MustCompile(`var nonce = "([^"]+)"`)

// mustNonce serves the page to client and returns the nonce in it.
func mustNonce(tb testing.TB, c *Challenger, method, client string, now time.Time) string {
	tb.Helper()
	rec := httptest.NewRecorder()
	c.Serve(rec, httptest.NewRequest(method, "/signin", nil), client, now)
	if rec.Code != http.StatusForbidden || rec.Header().Get("Cache-Control") != "no-store" {
		tb.Fatalf("challenge page: %d %v", rec.Code, rec.Header())
	}
	m := noncePattern.FindStringSubmatch(rec.Body.String())
	if m == nil {
		tb.Fatalf("no nonce in %q", rec.Body.String())
	}
	return m[1]
}

func withCookie(v string) *http.Request {
	r := httptest.NewRequest("GET", "/signin", nil)
	r.AddCookie(&http.Cookie{Name: CookieName, Value: v})
	return r
}

func TestPassAndItsLimits(t *testing.T) {
	now := time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)
	c, err := New(Config{Secret: []byte("k"), Pass: 10 * time.Minute, Bits: 12})
	if err != nil {
		t.Fatal(err)
	}
	nonce := mustNonce(t, c, "GET", "192.0.2.1", now)
	good := Solve(nonce, 12)
	other, _ := New(Config{Secret: []byte("other"), Bits: 12})
	tests := []struct {
		name   string
		c      *Challenger
		cookie string
		client string
		at     time.Time
		want   bool
	}{
		{"solved", c, good, "192.0.2.1", now.Add(time.Minute), true},
		{"expired", c, good, "192.0.2.1", now.Add(10 * time.Minute), false},
		{"another client", c, good, "192.0.2.2", now, false},
		{"another secret", other, good, "192.0.2.1", now, false},
		{"unsolved", c, nonce + ".x", "192.0.2.1", now, false},
		{"forged expiry", c, "9999999999." + strings.SplitN(good, ".", 2)[1], "192.0.2.1", now, false},
		{"garbage", c, "nope", "192.0.2.1", now, false},
	}
	for _, tt := range tests {
		if got := tt.c.Passed(withCookie(tt.cookie), tt.client, tt.at); got != tt.want {
			t.Errorf("%s: Passed = %v, want %v", tt.name, got, tt.want)
		}
	}
	if c.Passed(httptest.NewRequest("GET", "/", nil), "192.0.2.1", now) {
		t.Error("no cookie passed")
	}
}

func TestPageReloadsOnlyForGET(t *testing.T) {
	c, _ := New(Config{})
	for method, want := range map[string]string{"GET": "true", "POST": "false"} {
		rec := httptest.NewRecorder()
		c.Serve(rec, httptest.NewRequest(method, "/", nil), "192.0.2.1", time.Now())
		// html/template pads values in script with spaces.
		if !regexp.MustCompile(`if \(\s*` + want + `\s*\)`).MatchString(rec.Body.String()) {
			t.Errorf("%s page lacks %q", method, want)
		}
	}
}

func TestConfigErrors(t *testing.T) {
	for _, cfg := range []Config{{Bits: 25}, {Bits: -1}, {Pass: -time.Second}} {
		if _, err := New(cfg); err == nil {
			t.Errorf("%+v accepted", cfg)
		}
	}
}
