// Package clientip owns one question every edge layer asks: which address
// is the client? The edge is the first hop, so by default the answer is the
// TCP peer; X-Forwarded-For is believed only when configured, since any
// client can write it.
package clientip

import (
	"net"
	"net/http"
	"net/netip"
	"strings"
)

// From returns the client's address. With trustForwarded, the left-most
// valid X-Forwarded-For entry wins (for an edge behind another proxy).
func From(r *http.Request, trustForwarded bool) netip.Addr {
	if trustForwarded {
		if xff := r.Header.Get("X-Forwarded-For"); xff != "" {
			first, _, _ := strings.Cut(xff, ",")
			if a, err := netip.ParseAddr(strings.TrimSpace(first)); err == nil {
				return a.Unmap()
			}
		}
	}
	// net/http's RemoteAddr is ip:port: one parse, where SplitHostPort
	// then ParseAddr scan it twice (every layer asks, on every request).
	if ap, err := netip.ParseAddrPort(r.RemoteAddr); err == nil {
		return ap.Addr().Unmap()
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	a, err := netip.ParseAddr(host)
	if err != nil {
		return netip.Addr{}
	}
	return a.Unmap()
}
