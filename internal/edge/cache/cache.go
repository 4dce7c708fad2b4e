package cache

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"sync/atomic"
	"time"
)

// Config configures the cache.
type Config struct {
	// MaxBytes bounds storage (approximate bytes of bodies and headers);
	// 0 means 256 MiB.
	MaxBytes uint64
	// MaxObjectBytes is the largest body stored; bigger ones stream through.
	// 0 means 8 MiB.
	MaxObjectBytes int
	// IgnoreParams are query parameters left out of the key; nil means
	// DefaultIgnoreParams.
	IgnoreParams []string
	// Heuristic enables heuristic freshness (10% of the time since
	// Last-Modified, at most a day) for responses without a lifetime.
	Heuristic bool
	// RevalidateGrace keeps entries with a validator this long after they
	// go stale so they can be revalidated with a 304; 0 means 10 minutes.
	RevalidateGrace time.Duration
	// FetchTimeout bounds an origin fetch done on behalf of many waiters or
	// in the background; 0 means 30s.
	FetchTimeout time.Duration
	// OverloadHeader names a response header that a layer below (the load
	// shedder) sets on its 503s. Such a refusal is answered with any stale
	// copy still stored, even past stale-if-error (never against
	// must-revalidate): an old page beats an error while the shop sheds.
	// The header is removed before the response leaves. "" disables it.
	OverloadHeader string
}

// Stats are the cache's counters.
type Stats struct {
	Hits, Misses, Stale, Bypass, Collapsed, OriginFetches, Stored int64
}

// Cache is a shared HTTP cache in front of an origin handler.
type Cache struct {
	cfg     Config
	keyer   Keyer
	store   *store
	flights flights
	logger  *slog.Logger
	now     func() time.Time

	hits, misses, stale, bypass, collapsed, fetches, stored atomic.Int64
}

// X-Cache values.
const (
	Hit    = "HIT"
	Miss   = "MISS"
	Stale  = "STALE"
	Bypass = "BYPASS"
)

// New builds a cache. Call Close to stop its background work.
func New(cfg Config, logger *slog.Logger) (*Cache, error) {
	if cfg.MaxBytes == 0 {
		cfg.MaxBytes = 256 << 20
	}
	if cfg.MaxObjectBytes == 0 {
		cfg.MaxObjectBytes = 8 << 20
	}
	if cfg.IgnoreParams == nil {
		cfg.IgnoreParams = DefaultIgnoreParams()
	}
	if cfg.RevalidateGrace == 0 {
		cfg.RevalidateGrace = 10 * time.Minute
	}
	if cfg.FetchTimeout == 0 {
		cfg.FetchTimeout = 30 * time.Second
	}
	if cfg.MaxObjectBytes < 0 {
		return nil, errors.New("cache: negative MaxObjectBytes")
	}
	st, err := newStore(cfg.MaxBytes, cfg.RevalidateGrace)
	if err != nil {
		return nil, err
	}
	return &Cache{
		cfg:     cfg,
		keyer:   Keyer{IgnoreParams: cfg.IgnoreParams},
		store:   st,
		flights: flights{m: map[string]*flight{}},
		logger:  logger,
		now:     time.Now,
	}, nil
}

// Close stops the storage's background goroutines.
func (c *Cache) Close() { c.store.close() }

// Stats returns the counters.
func (c *Cache) Stats() Stats {
	return Stats{
		Hits: c.hits.Load(), Misses: c.misses.Load(), Stale: c.stale.Load(), Bypass: c.bypass.Load(),
		Collapsed: c.collapsed.Load(), OriginFetches: c.fetches.Load(), Stored: c.stored.Load(),
	}
}

// Middleware returns a handler that answers from the cache and sends what
// it cannot to origin.
func (c *Cache) Middleware(origin http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { c.serve(w, r, origin) })
}

// bypasses reports whether the request must not be answered from or
// stored in the cache.
func bypasses(r *http.Request) bool {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		return true
	}
	// Direct map reads: the keys are canonical constants, and this runs on
	// every hit.
	h := r.Header
	if len(h["Authorization"]) > 0 || len(h["Range"]) > 0 || len(h["Upgrade"]) > 0 {
		return true
	}
	cc := h["Cache-Control"]
	return len(cc) > 0 && ParseCacheControl(cc).NoStore
}

func (c *Cache) serve(w http.ResponseWriter, r *http.Request, origin http.Handler) {
	if bypasses(r) {
		c.bypass.Add(1)
		w.Header().Set("X-Cache", Bypass)
		origin.ServeHTTP(w, r)
		return
	}
	primary := c.keyer.Key(r.Host, r.URL)
	for attempt := 0; attempt < 3; attempt++ {
		key, e := c.lookup(primary, r)
		now := c.now()
		switch {
		case e != nil && e.fresh(now):
			c.hits.Add(1)
			serveEntry(w, r, e, Hit, now)
			return
		case e != nil && e.withinSWR(now):
			c.stale.Add(1)
			c.refreshInBackground(key, primary, r, e, origin)
			serveEntry(w, r, e, Stale, now)
			return
		}
		if r.Method == http.MethodHead {
			// A HEAD that a fresh entry cannot answer cannot fill the
			// cache either (it has no body); pass it on.
			c.misses.Add(1)
			w.Header().Set("X-Cache", Miss)
			origin.ServeHTTP(w, stripConditionals(r))
			return
		}
		res, leader, handled := c.fetch(w, r, key, primary, e, origin)
		if handled {
			return
		}
		if res.e == nil {
			break // not storable: go to the origin alone
		}
		if !leader && res.e.varyNames != nil && variantKey(primary, res.e.varyNames, r) != res.key {
			continue // the leader's variant is not ours: look again
		}
		xc := Miss
		if res.stale {
			xc = Stale
			c.stale.Add(1)
		} else if !leader {
			xc = Hit
			c.hits.Add(1)
		}
		serveEntry(w, r, res.e, xc, c.now())
		return
	}
	c.misses.Add(1)
	w.Header().Set("X-Cache", Miss)
	origin.ServeHTTP(w, stripConditionals(r))
}

// lookup finds the entry for a request, following a Vary marker to the
// request's variant. key is the storage key a fetch should fill.
func (c *Cache) lookup(primary string, r *http.Request) (key string, e *entry) {
	e, ok := c.store.get(primary)
	if !ok {
		return primary, nil
	}
	if !e.marker {
		return primary, e
	}
	key = e.variantKeyOf(primary, r)
	v, ok := c.store.get(key)
	if !ok {
		return key, nil
	}
	return key, v
}

func (c *Cache) refreshInBackground(key, primary string, r *http.Request, stale *entry, origin http.Handler) {
	if !c.flights.idle(key) {
		return
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(r.Context()), c.cfg.FetchTimeout)
	br := r.Clone(ctx)
	go func() {
		defer cancel()
		c.fetch(nil, br, key, primary, stale, origin)
	}()
}
