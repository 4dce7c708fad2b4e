package waitroom

import (
	"crypto/rand"
	"errors"
	"fmt"
	"html/template"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"
)

// Config configures the waiting room.
type Config struct {
	// Capacity is the number of shoppers active at once; 0 disables the room.
	Capacity int
	// IdleTimeout frees an active shopper's slot after this long without a
	// request; 0 means 5 minutes.
	IdleTimeout time.Duration
	// AdmissionTTL is how long an admission cookie stays valid without use;
	// 0 means 2 hours.
	AdmissionTTL time.Duration
	// ArrivalGrace is how long an admitted ticket keeps its slot waiting for
	// its holder to come back; 0 means 2 minutes.
	ArrivalGrace time.Duration
	// Secret signs the cookies; empty means a random one (cookies then do
	// not survive a restart).
	Secret []byte
	// CookieName defaults to "peakshop_wr".
	CookieName string
	// ExemptPrefixes pass without a ticket: static assets the waiting page
	// needs, health checks, the admin API.
	ExemptPrefixes []string
}

// Room is the waiting room.
type Room struct {
	cfg    Config
	logger *slog.Logger
	page   *template.Template
	now    func() time.Time

	mu        sync.Mutex
	issued    int64                // last ticket number handed out
	admitted  int64                // tickets up to this number may enter
	pending   map[int64]time.Time  // admitted tickets whose holder has not come back yet
	active    map[string]time.Time // shopper id -> last request
	rate      rateWindow
	lastSweep time.Time
}

// New builds a room.
func New(cfg Config, logger *slog.Logger) (*Room, error) {
	if cfg.Capacity < 0 {
		return nil, errors.New("waitroom: negative capacity")
	}
	if cfg.IdleTimeout == 0 {
		cfg.IdleTimeout = 5 * time.Minute
	}
	if cfg.AdmissionTTL == 0 {
		cfg.AdmissionTTL = 2 * time.Hour
	}
	if cfg.ArrivalGrace == 0 {
		cfg.ArrivalGrace = 2 * time.Minute
	}
	if cfg.CookieName == "" {
		cfg.CookieName = "peakshop_wr"
	}
	if len(cfg.Secret) == 0 {
		cfg.Secret = []byte(rand.Text() + rand.Text())
	}
	page, err := template.New("wait").Parse(waitingHTML)
	if err != nil {
		return nil, fmt.Errorf("waitroom: page: %w", err)
	}
	return &Room{cfg: cfg, logger: logger, page: page, now: time.Now, pending: map[int64]time.Time{}, active: map[string]time.Time{}}, nil
}

// Status is the room's state.
type Status struct {
	Capacity int   `json:"capacity"`
	Active   int   `json:"active"`
	Waiting  int64 `json:"waiting"`
	Issued   int64 `json:"issued"`
	Admitted int64 `json:"admitted"`
}

// Status reports the room's state.
func (rm *Room) Status() Status {
	rm.mu.Lock()
	defer rm.mu.Unlock()
	return Status{Capacity: rm.cfg.Capacity, Active: len(rm.active), Waiting: rm.issued - rm.admitted, Issued: rm.issued, Admitted: rm.admitted}
}

// Middleware lets admitted shoppers through and queues everyone else while
// the room is full.
func (rm *Room) Middleware(next http.Handler) http.Handler {
	if rm.cfg.Capacity == 0 {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		for _, p := range rm.cfg.ExemptPrefixes {
			if strings.HasPrefix(r.URL.Path, p) {
				next.ServeHTTP(w, r)
				return
			}
		}
		var tok token
		var ok bool
		if c, err := r.Cookie(rm.cfg.CookieName); err == nil {
			tok, ok = decodeToken(rm.cfg.Secret, c.Value)
		}
		now := rm.now()
		if ok && tok.admitted && now.Sub(tok.issued) < rm.cfg.AdmissionTTL {
			rm.touch(tok.id, now)
			rm.setCookie(w, token{admitted: true, id: tok.id, issued: now}) // slide the TTL
			next.ServeHTTP(w, r)
			return
		}
		if !ok || tok.admitted { // no ticket yet, or an expired admission: join the line
			tok = token{}
		}
		admitted, pos, eta := rm.decide(&tok, now)
		if admitted {
			rm.setCookie(w, token{admitted: true, id: tok.id, issued: now})
			next.ServeHTTP(w, r)
			return
		}
		rm.setCookie(w, tok)
		writeWaitingPage(w, r, rm.page, pos, eta)
	})
}

func (rm *Room) setCookie(w http.ResponseWriter, t token) {
	http.SetCookie(w, &http.Cookie{
		Name: rm.cfg.CookieName, Value: t.encode(rm.cfg.Secret), Path: "/",
		HttpOnly: true, SameSite: http.SameSiteLaxMode, MaxAge: int(rm.cfg.AdmissionTTL.Seconds()),
	})
}

// touch records activity of an admitted shopper. An admitted shopper
// whose slot lapsed (idle) gets it back even over capacity: admitted
// shoppers are never bounced.
func (rm *Room) touch(id string, now time.Time) {
	rm.mu.Lock()
	rm.active[id] = now
	rm.mu.Unlock()
}

// decide admits, or places in line, a visitor without an admission. tok is
// filled in with a new ticket when it has none.
func (rm *Room) decide(tok *token, now time.Time) (admitted bool, position int64, eta time.Duration) {
	rm.mu.Lock()
	defer rm.mu.Unlock()
	rm.sweep(now)
	if tok.id == "" {
		tok.id = rand.Text()
		tok.issued = now
		if rm.issued == rm.admitted && len(rm.active)+len(rm.pending) < rm.cfg.Capacity {
			// Nobody waiting and room to spare: straight in.
			rm.issued++
			rm.admitted++
			rm.active[tok.id] = now
			rm.rate.add(now)
			return true, 0, 0
		}
		rm.issued++
		tok.seq = rm.issued
	}
	if tok.seq > rm.issued { // a ticket from before a restart; honour its order relative to new ones
		tok.seq = rm.issued
	}
	if tok.seq <= rm.admitted {
		delete(rm.pending, tok.seq)
		rm.active[tok.id] = now
		return true, 0, 0
	}
	position = tok.seq - rm.admitted
	return false, position, rm.rate.eta(position, now)
}

// sweep frees the slots of idle shoppers and of admitted tickets never
// used, then admits the next tickets in order into the free slots.
func (rm *Room) sweep(now time.Time) {
	if now.Sub(rm.lastSweep) < 100*time.Millisecond && len(rm.active)+len(rm.pending) >= rm.cfg.Capacity && rm.lastSweep.After(time.Time{}) {
		return // sweeping a full room on every queued request is wasted work
	}
	rm.lastSweep = now
	for id, seen := range rm.active {
		if now.Sub(seen) > rm.cfg.IdleTimeout {
			delete(rm.active, id)
		}
	}
	for seq, at := range rm.pending {
		if now.Sub(at) > rm.cfg.ArrivalGrace {
			delete(rm.pending, seq)
		}
	}
	for rm.admitted < rm.issued && len(rm.active)+len(rm.pending) < rm.cfg.Capacity {
		rm.admitted++
		rm.pending[rm.admitted] = now
		rm.rate.add(now)
	}
}
