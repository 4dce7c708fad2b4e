package cache

import (
	"net"
	"net/url"
	"slices"
	"strings"
)

// Keyer builds cache keys. Query parameters matching IgnoreParams (exact
// names, or prefixes ending in "*", case-insensitive) are left out so that
// marketing links (utm_source=..., gclid=...) share one cached page.
type Keyer struct {
	IgnoreParams []string
}

// DefaultIgnoreParams returns the tracking parameters ignored by default.
func DefaultIgnoreParams() []string {
	return []string{"utm_*", "gclid", "fbclid", "msclkid", "mc_cid", "mc_eid", "_ga"}
}

func (k Keyer) ignored(name string) bool {
	name = strings.ToLower(name)
	for _, p := range k.IgnoreParams {
		p = strings.ToLower(p)
		if pre, ok := strings.CutSuffix(p, "*"); ok {
			if strings.HasPrefix(name, pre) {
				return true
			}
		} else if name == p {
			return true
		}
	}
	return false
}

// Key returns the primary cache key of a request to host for the given URL:
// the lower-cased host without a default port, the escaped path, and the
// query with ignored parameters removed and names sorted (values keep their
// order, since ?a=1&a=2 and ?a=2&a=1 may differ to the origin).
func (k Keyer) Key(host string, u *url.URL) string {
	host = normalizeHost(host)
	p := u.EscapedPath()
	if p == "" {
		p = "/"
	}
	q := k.query(u.RawQuery)
	if q == "" {
		return host + p // one allocation on the hot path
	}
	var b strings.Builder
	b.Grow(len(host) + len(p) + 1 + len(q))
	b.WriteString(host)
	b.WriteString(p)
	b.WriteByte('?')
	b.WriteString(q)
	return b.String()
}

// PathKey is Key without the host, used to purge a path on every host.
func (k Keyer) PathKey(u *url.URL) string {
	return k.Key("", u)
}

func normalizeHost(host string) string {
	host = strings.ToLower(host)
	// Only a host ending in :80 or :443 changes; checking first spares
	// every port-less Host the error value SplitHostPort allocates.
	if !strings.HasSuffix(host, ":80") && !strings.HasSuffix(host, ":443") {
		return host
	}
	if h, port, err := net.SplitHostPort(host); err == nil && (port == "80" || port == "443") {
		host = h
	}
	return host
}

type param struct{ name, raw string }

func (k Keyer) query(raw string) string {
	if raw == "" {
		return ""
	}
	var ps []param
	for part := range strings.SplitSeq(raw, "&") {
		if part == "" {
			continue
		}
		name, _, _ := strings.Cut(part, "=")
		if n, err := url.QueryUnescape(name); err == nil {
			name = n
		}
		if k.ignored(name) {
			continue
		}
		ps = append(ps, param{name: name, raw: part})
	}
	slices.SortStableFunc(ps, func(a, b param) int { return strings.Compare(a.name, b.name) })
	var b strings.Builder
	for i, p := range ps {
		if i > 0 {
			b.WriteByte('&')
		}
		b.WriteString(p.raw)
	}
	return b.String()
}
