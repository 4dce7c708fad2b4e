package edge

import (
	"math"
	"runtime/debug"
)

// GCPercent is the standalone edge's GOGC when the operator sets none.
const GCPercent = 400

// TuneGC sets the standalone edge's garbage collector, unless the
// operator chose GOGC or GOMEMLIMIT. A cache hit allocates a few KB inside
// net/http and keeps none of it, so under Go's default (GOGC=100) the small
// live heap of a warm edge is collected about ten times a second at 60,000
// hits/s. At 400 it runs a quarter as often: about 3% more hits per second
// and a lower p99 in scripts/bench-edge.sh (same run, GOGC=400 beside the
// default). The soft memory limit, twice the cache's bound plus 256 MiB,
// keeps a full cache from letting the heap grow to five times its size.
// It returns the memory limit set, or 0 when it left the collector alone.
func TuneGC(getenv func(string) string, cacheBytes uint64) int64 {
	if getenv("GOGC") != "" || getenv("GOMEMLIMIT") != "" {
		return 0
	}
	if cacheBytes == 0 {
		cacheBytes = 256 << 20 // cache.New's default
	}
	limit := int64(math.MaxInt64)
	if cacheBytes < math.MaxInt64/4 {
		limit = int64(2*cacheBytes) + 256<<20
	}
	debug.SetGCPercent(GCPercent)
	debug.SetMemoryLimit(limit)
	return limit
}
