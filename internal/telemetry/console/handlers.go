package console

import (
	"encoding/json"
	"net/http"
	"strconv"
	"time"

	"github.com/peakshop/peakshop/internal/telemetry"
	"github.com/peakshop/peakshop/internal/telemetry/alarm"
	"github.com/peakshop/peakshop/internal/telemetry/promsnap"
)

// securityHeaders keep the page to its own origin: scripts and styles from
// /console/static only (uPlot sets element styles from script, which
// style-src does not govern), no framing.
func securityHeaders(w http.ResponseWriter) {
	h := w.Header()
	h.Set("Content-Security-Policy", "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Cache-Control", "no-store")
}

// page serves the console, or signs in with ?token= first: the token is
// checked, swapped for a cookie and dropped from the address by a redirect,
// so it stays out of history, bookmarks and Referer headers.
func (c *Console) page(w http.ResponseWriter, r *http.Request) {
	securityHeaders(w)
	if tok := r.URL.Query().Get("token"); tok != "" {
		if !c.opts.IsAdmin(tok) {
			http.Redirect(w, r, "/console/login?failed", http.StatusSeeOther)
			return
		}
		c.setSession(w, r)
		http.Redirect(w, r, "/console", http.StatusSeeOther)
		return
	}
	if !c.authorized(r) {
		http.Redirect(w, r, "/console/login", http.StatusSeeOther)
		return
	}
	c.render(w, "console.html", map[string]any{"Currency": c.opts.Currency, "Interval": c.opts.Interval.Milliseconds()})
}

func (c *Console) render(w http.ResponseWriter, name string, data any) {
	securityHeaders(w)
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	if err := c.pages.ExecuteTemplate(w, name, data); err != nil {
		c.opts.Logger.Error("console: render", "page", name, "err", err)
	}
}

// State is everything the page shows, in one poll.
type State struct {
	Now      time.Time            `json:"now"`
	Points   []Point              `json:"points"`
	Features map[string]bool      `json:"features"`
	Alarms   []alarm.Status       `json:"alarms"`
	Traces   []telemetry.Trace    `json:"traces"`
	Map      telemetry.ServiceMap `json:"service_map"`
}

func (c *Console) state(w http.ResponseWriter, r *http.Request) {
	since, _ := strconv.ParseInt(r.URL.Query().Get("since"), 10, 64)
	c.mu.Lock()
	var pts []Point
	for _, p := range c.points {
		if p.T > since {
			pts = append(pts, p)
		}
	}
	var feats map[string]bool
	if c.prev != nil {
		feats = features(*c.prev)
	} else {
		feats = features(promsnap.Snapshot{})
	}
	c.mu.Unlock()
	st := State{Now: time.Now().UTC(), Points: pts, Features: feats,
		Traces: c.opts.Traces.Recent(25), Map: c.opts.Traces.ServiceMap()}
	if c.opts.Alarms != nil {
		st.Alarms = c.opts.Alarms.Statuses()
	}
	writeJSON(w, st)
}

func (c *Console) alarms(w http.ResponseWriter, _ *http.Request) {
	var st []alarm.Status
	if c.opts.Alarms != nil {
		st = c.opts.Alarms.Statuses()
	}
	writeJSON(w, map[string]any{"alarms": st})
}

func (c *Console) traces(w http.ResponseWriter, r *http.Request) {
	n, err := strconv.Atoi(r.URL.Query().Get("limit"))
	if err != nil || n < 1 || n > 500 {
		n = 50
	}
	writeJSON(w, map[string]any{"traces": c.opts.Traces.Recent(n)})
}

func writeJSON(w http.ResponseWriter, v any) {
	securityHeaders(w)
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}
