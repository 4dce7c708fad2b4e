package ratelimit

import "net/netip"

// clientKey names one client's counter under a rule: its address, plus
// the path for PerPath rules. A comparable value rather than a string, so
// counting a request in process formats nothing; only Redis, whose keys
// are strings, pays for String.
type clientKey struct {
	addr netip.Addr
	path string // PerPath rules only
}

// String is the key as Redis stores it: "ip" or "ip path".
func (k clientKey) String() string {
	if k.path == "" {
		return k.addr.String()
	}
	return k.addr.String() + " " + k.path
}
