package waitroom

import (
	"encoding/json"
	"fmt"
	"html/template"
	"math"
	"net/http"
	"strings"
	"time"
)

// rateWindow measures admissions per minute over the last two minutes, for
// the wait estimate.
type rateWindow struct {
	minute    int64
	cur, prev int64
}

func (rw *rateWindow) roll(now time.Time) {
	m := now.Unix() / 60
	switch {
	case m == rw.minute+1:
		rw.prev, rw.cur = rw.cur, 0
	case m != rw.minute:
		rw.prev, rw.cur = 0, 0
	}
	rw.minute = m
}

func (rw *rateWindow) add(now time.Time) {
	rw.roll(now)
	rw.cur++
}

// eta estimates the wait for a position from the recent admission rate;
// with no admissions measured yet it assumes one a second.
func (rw *rateWindow) eta(position int64, now time.Time) time.Duration {
	rw.roll(now)
	perSec := float64(rw.cur+rw.prev) / 120
	if perSec <= 0 {
		perSec = 1
	}
	return time.Duration(math.Ceil(float64(position)/perSec)) * time.Second
}

const waitingHTML = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta http-equiv="refresh" content="{{.Refresh}}">
<title>You are in line</title></head>
<body><main><h1>You are in line</h1>
<p>The shop is very busy. Your place in line: <strong>{{.Position}}</strong>.</p>
<p>Estimated wait: about {{.Minutes}} minute(s). This page refreshes by itself; keep it open and you will keep your place.</p>
</main></body></html>`

// writeWaitingPage answers a queued visitor: HTML for browsers, JSON for
// API clients. The status is 503 with Retry-After so that crawlers and
// scripts back off, and nothing may cache it.
func writeWaitingPage(w http.ResponseWriter, r *http.Request, page *template.Template, position int64, eta time.Duration) {
	refresh := int(min(max(eta.Seconds()/4, 5), 30))
	h := w.Header()
	h.Set("Cache-Control", "no-store")
	h.Set("Retry-After", fmt.Sprint(refresh))
	h.Set("X-Queue-Position", fmt.Sprint(position))
	if strings.HasPrefix(r.URL.Path, "/api/") || strings.Contains(r.Header.Get("Accept"), "application/json") {
		h.Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusServiceUnavailable)
		_ = json.NewEncoder(w).Encode(map[string]any{"queued": true, "position": position, "eta_seconds": int(eta.Seconds())})
		return
	}
	h.Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(http.StatusServiceUnavailable)
	_ = page.Execute(w, map[string]any{"Position": position, "Minutes": int(math.Ceil(eta.Minutes())), "Refresh": refresh})
}
