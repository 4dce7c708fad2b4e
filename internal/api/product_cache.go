package api

import (
	"context"
	"encoding/json"
	"time"

	"github.com/maypok86/otter/v2"
	"github.com/prometheus/client_golang/prometheus"
)

// productCache keeps encoded product documents for a short time. At peak one
// product is read thousands of times a second; re-reading and re-encoding it
// each time would cost more than everything else on the path. Entries expire
// after the TTL (stock moves) and admin writes clear the cache at once.
type productCache struct {
	ttl   time.Duration
	store *otter.Cache[string, cachedJSON]
	// hits and misses feed the cache hit ratio (nil: not counted).
	hits, misses prometheus.Counter
}

type cachedJSON struct {
	body []byte
	etag string
	keys string // Surrogate-Key of the document
}

func newCachedJSON(v any) (cachedJSON, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return cachedJSON{}, err
	}
	b = append(b, '\n')
	return cachedJSON{body: b, etag: etagOf(b)}, nil
}

func newProductCache(ttl time.Duration) *productCache {
	if ttl <= 0 {
		return &productCache{}
	}
	return &productCache{ttl: ttl, store: otter.Must(&otter.Options[string, cachedJSON]{
		MaximumSize:      20_000,
		ExpiryCalculator: otter.ExpiryWriting[string, cachedJSON](ttl),
	})}
}

// get returns the cached entry for key or loads it; concurrent misses of one
// key share a single load.
func (c *productCache) get(ctx context.Context, key string, load func() (cachedJSON, error)) (cachedJSON, error) {
	if c.store == nil {
		return load()
	}
	if e, ok := c.store.GetIfPresent(key); ok {
		inc(c.hits)
		return e, nil
	}
	inc(c.misses)
	return c.store.Get(ctx, key, otter.LoaderFunc[string, cachedJSON](func(_ context.Context, _ string) (cachedJSON, error) {
		return load()
	}))
}

// clear drops everything, after an admin write.
func (c *productCache) clear() {
	if c.store != nil {
		c.store.InvalidateAll()
	}
}
