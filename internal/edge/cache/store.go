package cache

import (
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/maypok86/otter/v2"
)

// store is bounded entry storage plus the indexes purging needs: by
// surrogate key and by host-less path, each mapping to the storage keys
// (variants included) that hold such entries.
type store struct {
	c     *otter.Cache[string, *entry]
	grace time.Duration

	mu     sync.Mutex
	byTag  map[string]map[string]*entry
	byPath map[string]map[string]*entry
}

func newStore(maxBytes uint64, grace time.Duration) (*store, error) {
	s := &store{grace: grace, byTag: map[string]map[string]*entry{}, byPath: map[string]map[string]*entry{}}
	c, err := otter.New(&otter.Options[string, *entry]{
		MaximumWeight:    maxBytes,
		Weigher:          func(_ string, e *entry) uint32 { return e.weight() },
		ExpiryCalculator: otter.ExpiryWritingFunc(retentionOf),
		OnDeletion:       s.onDeletion,
	})
	if err != nil {
		return nil, err
	}
	s.c = c
	return s, nil
}

// retentionOf gives each entry its own retention, computed by set with
// the cache's clock. Reads never move it: otter's writing-only expiry
// skips the per-read deadline work (a clock read and a CAS on every hit)
// that a calculator with its own ExpireAfterRead would cost.
func retentionOf(e otter.Entry[string, *entry]) time.Duration { return e.Value.ttl }

func (s *store) get(key string) (*entry, bool) { return s.c.GetIfPresent(key) }

func (s *store) set(key string, e *entry, now time.Time) {
	e.ttl = e.retention(now, s.grace)
	if !e.marker {
		s.mu.Lock()
		for _, t := range e.tags {
			addIndex(s.byTag, t, key, e)
		}
		addIndex(s.byPath, e.pathKey, key, e)
		s.mu.Unlock()
	}
	s.c.Set(key, e)
}

func addIndex(ix map[string]map[string]*entry, name, key string, e *entry) {
	m := ix[name]
	if m == nil {
		m = map[string]*entry{}
		ix[name] = m
	}
	m[key] = e
}

func (s *store) onDeletion(ev otter.DeletionEvent[string, *entry]) {
	e := ev.Value
	if e == nil || e.marker {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, t := range e.tags {
		dropIndex(s.byTag, t, ev.Key, e)
	}
	dropIndex(s.byPath, e.pathKey, ev.Key, e)
}

// dropIndex forgets key under name, but only if it still points at the
// deleted entry: a replacement has already indexed its successor.
func dropIndex(ix map[string]map[string]*entry, name, key string, e *entry) {
	if m := ix[name]; m != nil && m[key] == e {
		delete(m, key)
		if len(m) == 0 {
			delete(ix, name)
		}
	}
}

// purgeTag removes every entry carrying the surrogate key.
func (s *store) purgeTag(tag string) int {
	s.mu.Lock()
	keys := keysOf(s.byTag[tag])
	s.mu.Unlock()
	for _, k := range keys {
		s.c.Invalidate(k)
	}
	return len(keys)
}

// purgePath removes every entry (all hosts unless host is set, all variants)
// stored for a host-less path key.
func (s *store) purgePath(pathKey, host string) int {
	s.mu.Lock()
	var keys []string
	for k, e := range s.byPath[pathKey] {
		if host == "" || e.host == host {
			keys = append(keys, k)
		}
	}
	s.mu.Unlock()
	for _, k := range keys {
		s.c.Invalidate(k)
	}
	return len(keys)
}

func keysOf(m map[string]*entry) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}

func (s *store) purgeAll() { s.c.InvalidateAll() }

func (s *store) close() { s.c.StopAllGoroutines() }

// varyNames returns the canonical, sorted header names of a Vary field;
// star reports Vary: *, which can never be matched.
func varyNames(h http.Header) (names []string, star bool) {
	for _, v := range h.Values("Vary") {
		for f := range strings.SplitSeq(v, ",") {
			f = strings.TrimSpace(f)
			if f == "*" {
				return nil, true
			}
			if f != "" {
				names = append(names, http.CanonicalHeaderKey(f))
			}
		}
	}
	slices.Sort(names)
	return slices.Compact(names), false
}

// variantKey appends the request's values of the varying headers to the
// primary key. Accept-Encoding is reduced to the coding the edge would pick,
// so the thousand spellings of "gzip, deflate, br" share one variant.
func variantKey(primary string, names []string, r *http.Request) string {
	var buf [256]byte
	return string(appendVariant(append(buf[:0], primary...), names, r))
}

// appendVariant appends what variantKey adds to the primary key.
func appendVariant(b []byte, names []string, r *http.Request) []byte {
	for _, n := range names {
		b = append(b, 0)
		b = append(b, n...)
		b = append(b, '=')
		vs := r.Header[n] // names are canonical
		if n == "Accept-Encoding" {
			b = append(b, normalizeAcceptEncoding(strings.Join(vs, ","))...)
			continue
		}
		for i, v := range vs {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, v...)
		}
	}
	return b
}

func normalizeAcceptEncoding(v string) string {
	v = strings.ToLower(v)
	switch {
	case strings.Contains(v, "br"):
		return "br"
	case strings.Contains(v, "gzip"):
		return "gzip"
	}
	return ""
}
