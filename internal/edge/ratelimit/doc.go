// Package ratelimit owns the edge's rate-based rules: count requests per
// client IP (or per IP and path) over a sliding window, five minutes by
// default as cloud firewalls do, and block a client that goes over for a
// set time, with 429, Retry-After and the request id.
//
// The window is a sliding-window counter (the previous fixed window's count
// weighted by how much of it still overlaps, plus the current one) rather
// than golang.org/x/time/rate: a token bucket answers "how fast", while
// these rules answer "how many in the last five minutes", which is what the
// rules are written in and what an operator reads in a log. Memory per
// client is two integers, and counters live in bounded otter caches, so a
// flood of spoofed addresses cannot grow it without bound. The state is
// in-process; a Redis-shared variant can implement the same Limiter.
package ratelimit
