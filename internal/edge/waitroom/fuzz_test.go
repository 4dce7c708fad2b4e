package waitroom

import (
	"testing"
	"time"
)

func FuzzDecodeToken(f *testing.F) {
	secret := []byte("fuzz-secret")
	f.Add(token{admitted: true, id: "ABC", issued: time.Unix(1, 0)}.encode(secret))
	f.Add(token{id: "X", seq: 99, issued: time.Unix(1700000000, 0)}.encode(secret))
	f.Add("v1.q.a.1.2.")
	f.Add("....")
	f.Fuzz(func(t *testing.T, v string) {
		tok, ok := decodeToken(secret, v)
		if !ok {
			return
		}
		// Anything accepted must be exactly what we would have signed.
		if tok.encode(secret) != v {
			t.Fatalf("accepted %q but it re-encodes as %q", v, tok.encode(secret))
		}
	})
}
