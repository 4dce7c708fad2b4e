package telemetry

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
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

func (g *requestIDs) next() string { return g.prefix + strconv.FormatUint(g.n.Add(1), 36) }

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
	return context.WithValue(ctx, requestIDKey{}, id)
}

// RequestID returns the id of the request ctx belongs to, or "".
func RequestID(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey{}).(string)
	return id
}
