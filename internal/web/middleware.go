package web

import (
	"net"
	"net/http"
	"strings"
)

// contentSecurityPolicy allows only the shop's own scripts, styles and
// images: no inline script or style anywhere (htmx's indicator style is
// turned off in the layout), so injected markup cannot run.
const contentSecurityPolicy = "default-src 'self'; img-src 'self' https: data:; style-src 'self'; script-src 'self'; " +
	"connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'; object-src 'none'"

// securityHeaders adds the headers every storefront response carries.
func (s *Server) securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.hv.setSecurity(w.Header())
		next.ServeHTTP(w, r)
	})
}

// remoteIP is the default client address: the connection's peer, or, when
// that peer is on a private or loopback network (the edge in front of the
// shop), the last address in X-Forwarded-For, the one the edge appended.
// Earlier entries are the client's own claims and are ignored.
func remoteIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	ip := net.ParseIP(host)
	if ip != nil && (ip.IsLoopback() || ip.IsPrivate()) {
		if xff := r.Header.Values("X-Forwarded-For"); len(xff) > 0 {
			last := xff[len(xff)-1]
			if i := strings.LastIndexByte(last, ','); i >= 0 {
				last = last[i+1:]
			}
			if fwd := net.ParseIP(strings.TrimSpace(last)); fwd != nil {
				return fwd.String()
			}
		}
	}
	if ip == nil {
		return ""
	}
	return ip.String()
}
