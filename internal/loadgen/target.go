package loadgen

import (
	"context"
	"fmt"
	"net"
	"net/url"
)

// CheckTarget refuses a target that is not this machine unless allowRemote
// is set: a load test aimed at the wrong host is an attack. Every address
// the host name resolves to must be loopback, so a name that points both
// ways is refused too.
func CheckTarget(ctx context.Context, target string, allowRemote bool) error {
	u, err := url.Parse(target)
	if err != nil {
		return fmt.Errorf("target %q: %w", target, err)
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Hostname() == "" {
		return fmt.Errorf("target %q: want http(s)://host[:port]", target)
	}
	if allowRemote {
		return nil
	}
	host := u.Hostname()
	var ips []net.IP
	if ip := net.ParseIP(host); ip != nil {
		ips = []net.IP{ip}
	} else if ips, err = net.DefaultResolver.LookupIP(ctx, "ip", host); err != nil {
		return fmt.Errorf("target %q: resolve: %w", target, err)
	}
	for _, ip := range ips {
		if !ip.IsLoopback() {
			return fmt.Errorf("target %q resolves to %s, not this machine; load only runs against loopback unless --allow-remote is given", target, ip)
		}
	}
	if len(ips) == 0 {
		return fmt.Errorf("target %q: no addresses", target)
	}
	return nil
}
