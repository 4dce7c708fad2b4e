package proxy

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"slices"
	"strings"
	"time"
)

// Route sends matching requests to one or more pools. Routes are tried in
// order; the first match wins, so list specific routes before catch-alls.
type Route struct {
	Name  string
	Match Match
	// Splits share the route's traffic between pools by weight, for canary
	// releases (for example 95 to "stable", 5 to "canary").
	Splits []Split
	// Timeout is the whole exchange's deadline on this route (response
	// headers and body); past it the client gets 504 if nothing was sent
	// yet. 0 means the chosen pool's Timeouts.Request. A route-level value
	// lets a slow report endpoint wait longer, or checkout give up sooner,
	// than the rest of the traffic on the same pool.
	Timeout time.Duration
}

// Match is a conjunction: every field that is set must match.
type Match struct {
	PathPrefix string
	Host       string            // exact, port ignored, case-insensitive
	Headers    map[string]string // exact values
}

// Split is one pool's share of a route.
type Split struct {
	Pool   string
	Weight int
}

func (m Match) matches(r *http.Request) bool {
	if m.PathPrefix != "" && !strings.HasPrefix(r.URL.Path, m.PathPrefix) {
		return false
	}
	if m.Host != "" {
		host := r.Host
		if h, _, err := net.SplitHostPort(host); err == nil {
			host = h
		}
		if !strings.EqualFold(host, m.Host) {
			return false
		}
	}
	for k, v := range m.Headers {
		if r.Header.Get(k) != v {
			return false
		}
	}
	return true
}

// route is a validated Route with its pools resolved.
type route struct {
	Route
	pools []*Pool
	total int
}

func (rt *route) pick() *Pool {
	if len(rt.pools) == 1 {
		return rt.pools[0]
	}
	n := rand.IntN(rt.total)
	for i, s := range rt.Splits {
		if n < s.Weight {
			return rt.pools[i]
		}
		n -= s.Weight
	}
	return rt.pools[len(rt.pools)-1]
}

func compileRoutes(routes []Route, pools map[string]*Pool) ([]*route, error) {
	out := make([]*route, 0, len(routes))
	for _, r := range routes {
		if len(r.Splits) == 0 {
			return nil, fmt.Errorf("proxy: route %q has no pools", r.Name)
		}
		if r.Timeout < 0 {
			return nil, fmt.Errorf("proxy: route %q: negative timeout", r.Name)
		}
		r.Splits = slices.Clone(r.Splits) // the caller's slice stays theirs
		cr := &route{Route: r}
		for _, s := range r.Splits {
			p, ok := pools[s.Pool]
			if !ok {
				return nil, fmt.Errorf("proxy: route %q: unknown pool %q", r.Name, s.Pool)
			}
			if s.Weight < 0 {
				return nil, fmt.Errorf("proxy: route %q: negative weight", r.Name)
			}
			cr.pools = append(cr.pools, p)
			cr.total += s.Weight
		}
		if cr.total == 0 {
			if len(r.Splits) > 1 {
				return nil, fmt.Errorf("proxy: route %q: weights sum to zero", r.Name)
			}
			cr.total = 1
			cr.Splits[0].Weight = 1
		}
		out = append(out, cr)
	}
	if len(out) == 0 {
		return nil, errors.New("proxy: no routes")
	}
	return out, nil
}
