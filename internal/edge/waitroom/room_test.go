package waitroom

import (
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

type visitor struct {
	name   string
	cookie *http.Cookie
}

type harness struct {
	room *Room
	now  time.Time
	h    http.Handler
}

func mustRoom(tb testing.TB, cfg Config) *harness {
	tb.Helper()
	rm, err := New(cfg, slog.New(slog.DiscardHandler))
	if err != nil {
		tb.Fatal(err)
	}
	hs := &harness{room: rm, now: time.Date(2026, 11, 27, 8, 0, 0, 0, time.UTC)}
	rm.now = func() time.Time { return hs.now }
	hs.h = rm.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("shop")) }))
	return hs
}

// visit sends v's request and keeps the cookie it gets back.
func (hs *harness) visit(v *visitor, path string) *httptest.ResponseRecorder {
	r := httptest.NewRequest("GET", path, nil)
	if v.cookie != nil {
		r.AddCookie(v.cookie)
	}
	rec := httptest.NewRecorder()
	hs.h.ServeHTTP(rec, r)
	for _, c := range rec.Result().Cookies() {
		if c.Name == "peakshop_wr" {
			v.cookie = c
		}
	}
	return rec
}

func TestWaitingRoomFIFOAndNoBounce(t *testing.T) {
	hs := mustRoom(t, Config{Capacity: 2, IdleTimeout: time.Minute, ExemptPrefixes: []string{"/static/"}})
	a, b := &visitor{name: "a"}, &visitor{name: "b"}
	for _, v := range []*visitor{a, b} {
		if rec := hs.visit(v, "/"); rec.Code != 200 {
			t.Fatalf("%s not admitted into an empty room", v.name)
		}
	}
	// The room is full: c, d, e queue in arrival order.
	line := []*visitor{{name: "c"}, {name: "d"}, {name: "e"}}
	for i, v := range line {
		rec := hs.visit(v, "/")
		if rec.Code != http.StatusServiceUnavailable {
			t.Fatalf("%s: %d, want the waiting page", v.name, rec.Code)
		}
		if got := rec.Header().Get("X-Queue-Position"); got != string(rune('1'+i)) {
			t.Errorf("%s position %s, want %d", v.name, got, i+1)
		}
		if !strings.Contains(rec.Body.String(), "in line") || rec.Header().Get("Cache-Control") != "no-store" {
			t.Errorf("waiting page wrong: %q", rec.Body.String())
		}
	}
	// Static assets for the waiting page pass.
	if rec := hs.visit(line[2], "/static/app.css"); rec.Code != 200 {
		t.Error("static asset blocked")
	}
	// Admitted shoppers are never bounced, checkout included, even full.
	if rec := hs.visit(a, "/checkout"); rec.Code != 200 {
		t.Fatalf("admitted shopper bounced at checkout: %d", rec.Code)
	}
	// b goes idle; a keeps shopping. One slot frees: it goes to c, the
	// first in line, even if e asks first.
	hs.now = hs.now.Add(50 * time.Second)
	hs.visit(a, "/cart")
	hs.now = hs.now.Add(20 * time.Second) // b idle for 70s > 1 minute
	if rec := hs.visit(line[2], "/"); rec.Code != 503 || rec.Header().Get("X-Queue-Position") != "2" {
		t.Errorf("e jumped the line: %d pos %s", rec.Code, rec.Header().Get("X-Queue-Position"))
	}
	if rec := hs.visit(line[1], "/"); rec.Code != 503 || rec.Header().Get("X-Queue-Position") != "1" {
		t.Errorf("d jumped the line: %d pos %s", rec.Code, rec.Header().Get("X-Queue-Position"))
	}
	if rec := hs.visit(line[0], "/"); rec.Code != 200 {
		t.Fatalf("c not admitted when its turn came: %d", rec.Code)
	}
	// b comes back after idling: still admitted (over capacity if need be).
	if rec := hs.visit(b, "/checkout"); rec.Code != 200 {
		t.Errorf("idle admitted shopper bounced: %d", rec.Code)
	}
	if st := hs.room.Status(); st.Waiting != 2 || st.Issued != 5 {
		t.Errorf("status %+v", st)
	}
}

func TestUnclaimedAdmissionIsPassedOn(t *testing.T) {
	hs := mustRoom(t, Config{Capacity: 1, IdleTimeout: time.Minute, ArrivalGrace: time.Minute})
	a, b, c := &visitor{}, &visitor{}, &visitor{}
	hs.visit(a, "/")
	hs.visit(b, "/") // ticket 2
	hs.visit(c, "/") // ticket 3
	hs.now = hs.now.Add(2 * time.Minute)
	// a is idle: b's ticket is admitted, but b never comes back.
	if rec := hs.visit(c, "/"); rec.Header().Get("X-Queue-Position") != "1" {
		t.Fatalf("c position %s, want 1", rec.Header().Get("X-Queue-Position"))
	}
	hs.now = hs.now.Add(2 * time.Minute) // b's grace is over
	if rec := hs.visit(c, "/"); rec.Code != 200 {
		t.Fatalf("c not admitted after b's admission lapsed: %d", rec.Code)
	}
}

func TestForgedOrTamperedCookieJoinsTheLine(t *testing.T) {
	hs := mustRoom(t, Config{Capacity: 1})
	hs.visit(&visitor{}, "/")
	forged := &visitor{cookie: &http.Cookie{Name: "peakshop_wr", Value: token{admitted: true, id: "x", issued: hs.now}.encode([]byte("wrong secret"))}}
	if rec := hs.visit(forged, "/"); rec.Code != 503 {
		t.Errorf("forged admission accepted: %d", rec.Code)
	}
	// Tampering with a real ticket (moving to the front) breaks the signature.
	v := forged.cookie.Value
	tampered := &visitor{cookie: &http.Cookie{Name: "peakshop_wr", Value: strings.Replace(v, ".q.", ".a.", 1)}}
	if rec := hs.visit(tampered, "/"); rec.Code != 503 {
		t.Errorf("tampered ticket accepted: %d", rec.Code)
	}
}

func TestAPIClientsGetJSON(t *testing.T) {
	hs := mustRoom(t, Config{Capacity: 1})
	hs.visit(&visitor{}, "/")
	rec := hs.visit(&visitor{}, "/api/v1/products")
	if rec.Code != 503 || rec.Header().Get("Content-Type") != "application/json" || !strings.Contains(rec.Body.String(), `"position":1`) {
		t.Errorf("got %d %s %q", rec.Code, rec.Header().Get("Content-Type"), rec.Body.String())
	}
}

func TestTokenRoundTrip(t *testing.T) {
	secret := []byte("s")
	in := token{admitted: false, id: "ABC", seq: 42, issued: time.Unix(1700000000, 0)}
	out, ok := decodeToken(secret, in.encode(secret))
	if !ok || out != in {
		t.Fatalf("round trip: %+v %v", out, ok)
	}
	for _, bad := range []string{"", "x", "v1.q.a.1.2", "v1.z.a.1.2." + sign(secret, "v1.z.a.1.2")} {
		if _, ok := decodeToken(secret, bad); ok {
			t.Errorf("%q accepted", bad)
		}
	}
}
