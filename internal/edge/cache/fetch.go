package cache

import (
	"context"
	"net/http"
	"sync"
)

// fetch fills key from the origin, collapsing concurrent callers into one
// origin request. The leader's own client (w, nil for a background refresh)
// is written directly when the response turns out not to be storable, and
// handled is then true. stale is the entry being revalidated, if any.
func (c *Cache) fetch(w http.ResponseWriter, r *http.Request, key, primary string, stale *entry, origin http.Handler) (res flightResult, leader, handled bool) {
	fl, leader := c.flights.join(key)
	if !leader {
		c.collapsed.Add(1)
		select {
		case <-fl.done:
			return fl.res, false, false
		case <-r.Context().Done():
			return flightResult{}, false, true // the client left; nothing to write
		}
	}
	c.fetches.Add(1)
	// Waiters depend on this fetch, so the leader's client leaving must not
	// cancel it; it is bounded by FetchTimeout instead.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(r.Context()), c.cfg.FetchTimeout)
	defer cancel()
	// Once the response turns out not to be storable it goes to the leader's
	// client alone (a private page, an event stream): from then on that
	// client leaving must end it, or a stream would outlive its reader and
	// hold up a graceful shutdown.
	var passOnce sync.Once
	passing := make(chan struct{})
	stopFollow := context.AfterFunc(r.Context(), func() {
		select {
		case <-passing:
			cancel()
		default:
		}
	})
	defer stopFollow()
	rec := &recorder{
		c: c, client: w, req: r, stale: stale, header: http.Header{},
		onPass: func() {
			c.flights.finish(key, fl, flightResult{})
			passOnce.Do(func() { close(passing) })
			if r.Context().Err() != nil {
				cancel()
			}
		},
	}
	defer func() {
		// Whatever happens (even a panic such as http.ErrAbortHandler),
		// waiters must be released.
		c.flights.finish(key, fl, flightResult{})
	}()
	out := stripConditionals(r).WithContext(ctx)
	if stale != nil && stale.hasValidator() {
		out.Header = out.Header.Clone()
		if et := stale.etag(); et != "" {
			out.Header.Set("If-None-Match", et)
		}
		if lm := stale.lastModified(); lm != "" {
			out.Header.Set("If-Modified-Since", lm)
		}
	}
	reqTime := c.now()
	origin.ServeHTTP(rec, out)
	rec.finishHeader()
	respTime := c.now()

	switch rec.mode {
	case modeBuffer:
		e := newEntry(rec.status, rec.header, rec.buf, reqTime, respTime, c.cfg.Heuristic)
		e.host, e.pathKey = normalizeHost(r.Host), c.keyer.PathKey(r.URL)
		e.tags = surrogateKeys(rec.tags)
		names, _ := varyNames(rec.header)
		storeKey := primary
		if len(names) > 0 {
			e.varyNames = names
			storeKey = variantKey(primary, names, r)
			if m, ok := c.store.get(primary); !ok || !m.marker || !equalNames(m.varyNames, names) {
				c.store.set(primary, &entry{marker: true, varyNames: names}, respTime)
			}
		}
		c.store.set(storeKey, e, respTime)
		c.stored.Add(1)
		res = flightResult{e: e, key: storeKey}
	case modeRevalidated:
		e := stale.revalidated(rec.header, reqTime, respTime, c.cfg.Heuristic)
		c.store.set(key, e, respTime)
		res = flightResult{e: e, key: key}
	case modeStaleOnError:
		c.logger.Warn("origin error, serving stale", "status", rec.status, "key", key)
		res = flightResult{e: stale, key: key, stale: true}
	default:
		return flightResult{}, true, true
	}
	c.flights.finish(key, fl, res)
	return res, true, w == nil
}

func equalNames(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// stripConditionals removes the client's validators before a request goes
// to the origin: the cache answers them itself from what it stores, and a
// 304 for one client's copy could not be stored for everyone.
func stripConditionals(r *http.Request) *http.Request {
	h := r.Header
	if h.Get("If-None-Match") == "" && h.Get("If-Modified-Since") == "" {
		return r
	}
	r2 := r.WithContext(r.Context())
	r2.Header = h.Clone()
	r2.Header.Del("If-None-Match")
	r2.Header.Del("If-Modified-Since")
	return r2
}
