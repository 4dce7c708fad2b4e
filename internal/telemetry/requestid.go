package telemetry

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/http"
	"strconv"
	"sync/atomic"
)

type requestIDKey struct{}

// RequestIDHeader carries a request's id in and out. An id from a trusted
// hop (the edge) is kept so one id follows the request across processes.
const RequestIDHeader = "X-Request-Id"

// requestIDs makes ids that are unique across instances without a random
// read per request: a random per-process prefix and a counter.
type requestIDs struct {
	prefix string
	n      atomic.Uint64
}

func newRequestIDs() (*requestIDs, error) {
	b := make([]byte, 6)
	if _, err := rand.Read(b); err != nil {
		return nil, fmt.Errorf("telemetry: request id prefix: %w", err)
	}
	return &requestIDs{prefix: hex.EncodeToString(b) + "-"}, nil
}

func (g *requestIDs) next() string {
	var buf [40]byte // prefix (13) + a base-36 uint64 (at most 13): on the stack
	return string(strconv.AppendUint(append(buf[:0], g.prefix...), g.n.Add(1), 36))
}

// validRequestID accepts ids of up to 64 letters, digits and ._- so an
// incoming header can neither inject into logs nor blow up their size.
func validRequestID(s string) bool {
	if len(s) == 0 || len(s) > 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_' || c == '.') {
			return false
		}
	}
	return true
}

// WithRequestID returns ctx carrying id.
func WithRequestID(ctx context.Context, id string) context.Context {
	return &requestIDCtx{Context: ctx, id: id}
}

// requestIDCtx is context.WithValue for the one key, in one allocation
// instead of two (the value's boxing and the context): every request pays
// for it, and the product API's budget for instrumentation is 5%.
type requestIDCtx struct {
	context.Context
	id string
}

func (c *requestIDCtx) Value(key any) any {
	if key == (requestIDKey{}) {
		return c.id
	}
	return c.Context.Value(key)
}

// requestIDState is a request's id in its context and in the response's
// X-Request-Id header, in one allocation.
type requestIDState struct {
	ctx    requestIDCtx
	header [1]string
}

// withRequestIDHeader returns ctx carrying id and sets the response header
// to it. The header is stored under its canonical name directly (Set would
// canonicalise it again on every request).
func withRequestIDHeader(ctx context.Context, h http.Header, id string) context.Context {
	st := &requestIDState{ctx: requestIDCtx{Context: ctx, id: id}, header: [1]string{id}}
	h[RequestIDHeader] = st.header[:]
	return &st.ctx
}

// RequestID returns the id of the request ctx belongs to, or "".
func RequestID(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey{}).(string)
	return id
}
