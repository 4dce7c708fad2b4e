package cache

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
)

// PurgeURL removes every stored variant of a URL. With a host in rawURL
// only that host's copy goes; a bare path purges it on every host.
func (c *Cache) PurgeURL(rawURL string) (int, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return 0, fmt.Errorf("cache: purge %q: %w", rawURL, err)
	}
	n := c.store.purgePath(c.keyer.PathKey(u), normalizeHost(u.Host))
	if u.Host != "" {
		c.store.c.Invalidate(c.keyer.Key(u.Host, u)) // the Vary marker
	}
	return n, nil
}

// PurgeKey removes every entry whose response carried the surrogate key
// (for example "product-42" or "category-7").
func (c *Cache) PurgeKey(key string) int { return c.store.purgeTag(key) }

// PurgeAll empties the cache.
func (c *Cache) PurgeAll() { c.store.purgeAll() }

// AdminHandler serves the purge API, for a loopback-only admin listener:
//
//	POST /purge   {"urls": ["/products/42", "http://shop/x"], "keys": ["product-42"], "all": false}
//	GET  /stats
func (c *Cache) AdminHandler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /purge", func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			URLs []string `json:"urls"`
			Keys []string `json:"keys"`
			All  bool     `json:"all"`
		}
		dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&req); err != nil {
			http.Error(w, `{"error":"bad JSON body"}`, http.StatusBadRequest)
			return
		}
		purged := 0
		if req.All {
			c.PurgeAll()
		}
		for _, u := range req.URLs {
			n, err := c.PurgeURL(u)
			if err != nil {
				http.Error(w, `{"error":"bad url"}`, http.StatusBadRequest)
				return
			}
			purged += n
		}
		for _, k := range req.Keys {
			purged += c.PurgeKey(k)
		}
		c.logger.Info("cache purge", "urls", len(req.URLs), "keys", req.Keys, "all", req.All, "purged", purged)
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]int{"purged": purged})
	})
	mux.HandleFunc("GET /stats", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(c.Stats())
	})
	return mux
}
