// Package shed owns priority load shedding at the edge. Requests are sorted
// into classes (browse, cart, checkout) and admitted against an adaptive
// concurrency limit: each class may use only its share of the limit, so as
// the origin saturates browse traffic is refused first (503 with
// Retry-After), then cart, and checkout last, when money is on the line.
//
// The limit adapts additively-increase, multiplicatively-decrease on the
// latency of admitted requests (the shape of TCP congestion control and of
// Netflix's concurrency-limits AIMD): above the target latency it shrinks,
// below it grows while it is being used. Hand-written because it is forty
// lines and the libraries that do it bring their own metrics stacks.
package shed
