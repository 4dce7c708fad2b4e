package chaos

import (
	"context"
	"fmt"
	"net"
	"net/url"
	"strings"
)

// CheckLocal refuses an address that is not this machine: a URL
// (http://h:p, nats://h:p) or a host:port. Chaos is for rehearsals, and a
// typo should not point a fault at someone else's shop.
func CheckLocal(ctx context.Context, addr string) error {
	host := addr
	if strings.Contains(addr, "://") {
		u, err := url.Parse(addr)
		if err != nil {
			return fmt.Errorf("%q: %w", addr, err)
		}
		host = u.Hostname()
	} else if h, _, err := net.SplitHostPort(addr); err == nil {
		host = h
	}
	if host == "" {
		return fmt.Errorf("%q names no host", addr)
	}
	var ips []net.IP
	if ip := net.ParseIP(host); ip != nil {
		ips = []net.IP{ip}
	} else {
		var err error
		if ips, err = net.DefaultResolver.LookupIP(ctx, "ip", host); err != nil {
			return fmt.Errorf("%q: resolve: %w", addr, err)
		}
	}
	if len(ips) == 0 {
		return fmt.Errorf("%q: no addresses", addr)
	}
	for _, ip := range ips {
		if !ip.IsLoopback() {
			return fmt.Errorf("%q is %s, not this machine", addr, ip)
		}
	}
	return nil
}
