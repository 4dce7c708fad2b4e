package ratelimit

import (
	"net/http"
	"net/http/httptest"
	"regexp"
	"testing"
	"time"

	"github.com/peakshop/peakshop/internal/edge/challenge"
)

var nonceInPage = regexp.MustCompile(`var nonce = "([^"]+)"`)

func sendWithPass(h http.Handler, ip, pass string) *httptest.ResponseRecorder {
	r := httptest.NewRequest("GET", "/deals", nil)
	r.RemoteAddr = ip + ":5555"
	r.AddCookie(&http.Cookie{Name: challenge.CookieName, Value: pass})
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, r)
	return rec
}

func TestChallengeInsteadOfBlock(t *testing.T) {
	l, clk, h := mustLimiter(t, Config{
		Rules:     []Rule{{Name: "deals", Limit: 2, Block: time.Hour, Action: ActionChallenge}},
		Challenge: challenge.Config{Pass: 10 * time.Minute, Bits: 8},
	})
	for range 2 {
		send(h, "GET", "/deals", "192.0.2.1")
	}
	rec := send(h, "GET", "/deals", "192.0.2.1")
	if rec.Code != http.StatusForbidden || rec.Header().Get("X-Request-Id") != "rl-1" {
		t.Fatalf("over the limit: %d %v, want the 403 challenge page", rec.Code, rec.Header())
	}
	m := nonceInPage.FindStringSubmatch(rec.Body.String())
	if m == nil {
		t.Fatalf("no nonce in the page: %q", rec.Body.String())
	}
	pass := challenge.Solve(m[1], 8)
	// Solved: through the rule, many times, though still inside the block.
	for i := range 10 {
		if rec := sendWithPass(h, "192.0.2.1", pass); rec.Code != 200 {
			t.Fatalf("solved request %d: %d", i, rec.Code)
		}
	}
	// The pass is bound to the client: another address carrying it is
	// counted and challenged like anyone.
	for range 2 {
		sendWithPass(h, "192.0.2.2", pass)
	}
	if sendWithPass(h, "192.0.2.2", pass).Code != http.StatusForbidden {
		t.Error("a pass worked for another client")
	}
	// And it expires.
	clk.Advance(11 * time.Minute)
	if sendWithPass(h, "192.0.2.1", pass).Code != http.StatusForbidden {
		t.Error("an expired pass still worked")
	}
	if l.Challenged() == 0 || l.Blocks()["deals"] == 0 {
		t.Errorf("challenged %d, blocks %v", l.Challenged(), l.Blocks())
	}
}

func TestUnknownActionRejected(t *testing.T) {
	if _, err := New(Config{Rules: []Rule{{Name: "x", Limit: 1, Action: "tarpit"}}}, nil); err == nil {
		t.Error("unknown action accepted")
	}
}
