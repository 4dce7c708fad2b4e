// Package reqid owns the edge's request ids (X-Request-Id) and the refusal
// responses that carry them (reject.go), so every 403, 429, 502, 503 or 504
// the edge itself sends can be matched to one log line.
//
// An incoming id is kept only when it is short and made of safe characters:
// the edge faces the internet, and a client-chosen id must not be able to
// inject text into logs or response headers.
package reqid

import (
	"crypto/rand"
	"net/http"
	"strconv"
	"sync/atomic"
)

// Header is the header that carries the request id in both directions.
const Header = "X-Request-Id"

// New returns a fresh random request id (26 base32 characters, 130 bits).
func New() string { return rand.Text() }

// Valid reports whether id is acceptable as a request id from outside.
func Valid(id string) bool {
	if id == "" || len(id) > 64 {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '-', c == '_', c == '.':
		default:
			return false
		}
	}
	return true
}

// generator mints ids as a random per-process prefix plus a counter: unique
// and cheap (no system call per request). Ids need not be unguessable;
// they only name a request in logs.
type generator struct {
	prefix string
	n      atomic.Uint64
}

func (g *generator) next() string {
	// Built in a stack buffer so the string is the only allocation.
	var buf [64]byte
	b := append(buf[:0], g.prefix...)
	return string(strconv.AppendUint(b, g.n.Add(1), 36))
}

// Middleware makes sure every request has an id: it keeps a valid incoming
// X-Request-Id, otherwise mints one, and sets it on the request (so the
// origin and every later layer see it) and on the response.
func Middleware(next http.Handler) http.Handler {
	g := &generator{prefix: rand.Text()[:12] + "-"}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ids := r.Header[Header]
		if len(ids) != 1 || !Valid(ids[0]) {
			ids = []string{g.next()}
			r.Header[Header] = ids
		}
		// One slice for both: capped, so an append on either side copies;
		// Set and Del replace the slice rather than write into it.
		w.Header()[Header] = ids[:1:1]
		next.ServeHTTP(w, r)
	})
}

// From returns the request's id.
func From(r *http.Request) string { return r.Header.Get(Header) }
