// Package ratelimit owns the edge's rate-based rules: count requests per
// client IP (or per IP and path) over a sliding window, five minutes by
// default as cloud firewalls do, and block a client that goes over for a
// set time, with 429, Retry-After and the request id, or challenge it
// instead (Action "challenge", see package challenge).
//
// The window is a sliding-window counter (the previous fixed window's count
// weighted by how much of it still overlaps, plus the current one) rather
// than golang.org/x/time/rate: a token bucket answers "how fast", while
// these rules answer "how many in the last five minutes", which is what the
// rules are written in and what an operator reads in a log. Memory per
// client is two integers.
//
// Where the counters live is the one thing that varies (the store
// interface). In process (memory.go) they sit in bounded otter caches, so
// a flood of spoofed addresses cannot grow them without bound. With
// Config.Redis (redis.go) edge instances share them: the same arithmetic
// runs as one Lua script on one hash per rule and client (current and
// previous counts, window index, blocked-until), so a request is one
// atomic round trip and both stores give the same answers; the tests run
// one suite of scenarios on both.
//
// Why not github.com/go-redis/redis_rate/v10, which the issue names: it is
// GCRA, a token bucket in disguise. With rate limit/window and burst limit
// it approximates "N per 5 minutes", but it has no "block for 15 minutes
// once over" (a GCRA client is allowed again as soon as one token drips
// back, 3 s later for 100 per 5 min), so the two stores would disagree on
// the rule an operator wrote. It also needs go-redis v9, a second Redis
// client next to github.com/redis/rueidis, which the project's library list
// names; rueidis pipelines concurrent calls on one connection
// automatically, which is what a hot path of many small scripts wants.
//
// Cost: one EVALSHA per rule that applies to a request (the default rules
// make that one for most requests, two on sign-in and checkout POSTs).
// BenchmarkTakeRedis measures it on loopback; see docs/edge.md for the
// figures. Instances pass their own clock into the script; they agree as
// well as their clocks do, which NTP makes far finer than a window.
//
// Failing open: Redis down, slow (Config.RedisTimeout, 50 ms) or refusing
// must not take the shop down, so a failed check allows the request,
// counts it (FailOpen) and logs at most once a second; after a failure the
// limiter skips Redis for a second, so an outage costs one timeout a
// second rather than one per request. A client hanging up does not count
// as a failure. The edge starts even when Redis is down at start.
package ratelimit
