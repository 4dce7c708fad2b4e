package clientip

import (
	"net/http/httptest"
	"testing"
)

func TestFrom(t *testing.T) {
	tests := []struct {
		remote, xff string
		trust       bool
		want        string
	}{
		{"192.0.2.1:1234", "", false, "192.0.2.1"},
		{"192.0.2.1:1234", "198.51.100.7", false, "192.0.2.1"},
		{"192.0.2.1:1234", "198.51.100.7, 10.0.0.1", true, "198.51.100.7"},
		{"192.0.2.1:1234", "garbage", true, "192.0.2.1"},
		{"[2001:db8::1]:80", "", false, "2001:db8::1"},
		{"[::ffff:192.0.2.9]:80", "", false, "192.0.2.9"},
		{"nonsense", "", false, "invalid IP"},
	}
	for _, tc := range tests {
		r := httptest.NewRequest("GET", "/", nil)
		r.RemoteAddr = tc.remote
		if tc.xff != "" {
			r.Header.Set("X-Forwarded-For", tc.xff)
		}
		if got := From(r, tc.trust).String(); got != tc.want {
			t.Errorf("%+v: got %s", tc, got)
		}
	}
}
