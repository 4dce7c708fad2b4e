package web

import (
	"context"
	"sync"
	"time"

	"github.com/maypok86/otter/v2"

	"github.com/peakshop/peakshop/internal/domain/catalog"
)

// pageCache keeps rendered public pages for a short time. At peak one
// product page is asked for thousands of times a second; rendering it once a
// second instead of each time is most of the difference between a template
// engine and a static file server. Concurrent misses of one page share one
// render. Bounded by bytes, so a crawler walking every search term cannot
// grow it without limit.
type pageCache struct {
	store *otter.Cache[string, rendered]
}

func newPageCache(ttl time.Duration) *pageCache {
	if ttl <= 0 {
		return &pageCache{}
	}
	return &pageCache{store: otter.Must(&otter.Options[string, rendered]{
		MaximumWeight:    64 << 20,
		Weigher:          func(k string, v rendered) uint32 { return uint32(len(k) + len(v.body) + 64) },
		ExpiryCalculator: otter.ExpiryWriting[string, rendered](ttl),
	})}
}

// get returns the page under key, rendering it with load on a miss.
func (c *pageCache) get(ctx context.Context, key string, load func() (rendered, error)) (rendered, error) {
	if c.store == nil {
		return load()
	}
	if p, ok := c.store.GetIfPresent(key); ok {
		return p, nil
	}
	return c.store.Get(ctx, key, otter.LoaderFunc[string, rendered](func(context.Context, string) (rendered, error) {
		return load()
	}))
}

// peek returns the page under key if it is cached, without building a loader.
func (c *pageCache) peek(key string) (rendered, bool) {
	if c.store == nil {
		return rendered{}, false
	}
	return c.store.GetIfPresent(key)
}

func (c *pageCache) clear() {
	if c.store != nil {
		c.store.InvalidateAll()
	}
}

// categoryCache keeps the category list, which every listing page shows and
// which changes only when an admin edits the catalog.
type categoryCache struct {
	ttl     time.Duration
	mu      sync.Mutex
	cats    []catalog.Category
	fetched time.Time
}

func (s *Server) categories(ctx context.Context) ([]catalog.Category, error) {
	c := s.cats
	c.mu.Lock()
	defer c.mu.Unlock()
	now := s.Now()
	if c.cats != nil && now.Sub(c.fetched) < c.ttl {
		return c.cats, nil
	}
	cats, err := s.Catalog.Categories(ctx)
	if err != nil {
		if c.cats != nil {
			return c.cats, nil // stale beats an error page while the database hiccups
		}
		return nil, err
	}
	c.cats, c.fetched = cats, now
	return cats, nil
}

func (s *Server) categoryBySlug(ctx context.Context, slug string) (catalog.Category, bool, error) {
	cats, err := s.categories(ctx)
	if err != nil {
		return catalog.Category{}, false, err
	}
	for _, c := range cats {
		if c.Slug == slug {
			return c, true, nil
		}
	}
	return catalog.Category{}, false, nil
}
