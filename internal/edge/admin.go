package edge

import (
	"encoding/json"
	"net/http"
	"net/http/pprof"
)

// Stats gathers every component's counters, for the admin API and metrics.
type Stats struct {
	Cache      *cacheStats      `json:"cache,omitempty"`
	GuardBlock map[string]int64 `json:"guard_blocks"`
	WAFBlock   map[string]int64 `json:"waf_blocks"`
	RateBlock  map[string]int64 `json:"rate_blocks,omitempty"`
	// RateFailOpen counts requests let through while the shared counters'
	// Redis was unreachable; RateChallenged those sent the challenge page.
	RateFailOpen   int64            `json:"rate_fail_open,omitempty"`
	RateChallenged int64            `json:"rate_challenged,omitempty"`
	Shed           map[string]int64 `json:"shed,omitempty"`
	ShedLimit      int              `json:"shed_limit,omitempty"`
	// ShedCheckoutLimit is what checkout is admitted against (see shed).
	ShedCheckoutLimit int `json:"shed_checkout_limit,omitempty"`
	WaitRoom          any `json:"waitroom"`
}

type cacheStats struct {
	Hits, Misses, Stale, Bypass, Collapsed, OriginFetches, Stored int64
}

// Stats returns the current counters.
func (e *Edge) Stats() Stats {
	st := Stats{GuardBlock: e.guard.Blocks(), WAFBlock: e.rules.Blocks(), WaitRoom: e.room.Status()}
	if e.cache != nil {
		cs := cacheStats(e.cache.Stats())
		st.Cache = &cs
	}
	if e.limiter != nil {
		st.RateBlock = e.limiter.Blocks()
		st.RateFailOpen, st.RateChallenged = e.limiter.FailOpen(), e.limiter.Challenged()
	}
	if e.shedder != nil {
		st.Shed = e.shedder.Shed()
		st.ShedLimit, st.ShedCheckoutLimit = e.shedder.Limit(), e.shedder.CheckoutLimit()
	}
	return st
}

// adminHandler mounts each component's admin API:
//
//	/proxy/...   pools, targets (add, drain), routes (see proxy.AdminHandler)
//	/cache/...   purge by URL or surrogate key, cache stats
//	GET /stats   every counter
//	GET /metrics the same for Prometheus (see metrics.go)
//	/debug/pprof/ profiles, for tuning under load
func (e *Edge) adminHandler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	if e.proxy != nil {
		mux.Handle("/proxy/", http.StripPrefix("/proxy", e.proxy.AdminHandler()))
	}
	if e.cache != nil {
		mux.Handle("/cache/", http.StripPrefix("/cache", e.cache.AdminHandler()))
	}
	mux.Handle("GET /metrics", e.metricsHandler()) // Prometheus: blocks, upstreams, runtime (metrics.go)
	mux.HandleFunc("GET /stats", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(e.Stats())
	})
	return mux
}
