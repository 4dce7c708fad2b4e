package ratelimit

import (
	"net/netip"
	"testing"
)

// TestClientKeyString: Redis keys keep the form they had as strings, so
// counters survive an upgrade of the edge instances sharing them.
func TestClientKeyString(t *testing.T) {
	for _, tc := range []struct {
		k    clientKey
		want string
	}{
		{clientKey{addr: netip.MustParseAddr("198.51.100.7")}, "198.51.100.7"},
		{clientKey{addr: netip.MustParseAddr("2001:db8::1"), path: "/account/signin"}, "2001:db8::1 /account/signin"},
		{clientKey{}, "invalid IP"},
	} {
		if got := tc.k.String(); got != tc.want {
			t.Errorf("%+v: %q, want %q", tc.k, got, tc.want)
		}
	}
}
