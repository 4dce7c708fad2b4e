// Package shed owns priority load shedding at the edge. Requests are sorted
// into classes (browse, cart, checkout) and admitted against adaptive
// concurrency limits: as the origin saturates browse traffic is refused
// first (503 with Retry-After), then cart, and checkout last, when money is
// on the line.
//
// A limit adapts additively-increase, multiplicatively-decrease on the
// latency of the requests it admitted (the shape of TCP congestion control
// and of Netflix's concurrency-limits AIMD): above its target latency it
// shrinks, below it grows while it is being used. Hand-written because it
// is forty lines and the libraries that do it bring their own metrics
// stacks.
//
// There are two limits, because latency alone cannot tell a slow
// dependency from an overloaded shop. A synchronous checkout waits on the
// payment provider: with the provider 300 ms slower, every checkout is
// slow and many are in flight while the shop itself is idle. One limit fed
// by every request took that for overload, shrank, and shed carts.
//
//   - The shop's limit adapts on browse and cart latency only: pages and
//     cart writes are the shop's own work, so their latency is the shop's.
//     Browse and cart are admitted while browse and cart in flight stay
//     under their shares of it (0.6 and 0.85 by default); checkouts in
//     flight do not count against them.
//   - Checkout has its own limit, adapted on checkout latency against a
//     looser target (CheckoutTargetLatency, four times TargetLatency by
//     default, room for a provider's round trip). A checkout is admitted
//     while everything in flight, browse and cart included, stays under
//     that limit, never taken as lower than the shop's.
//
// Under real overload every class slows: the shop's limit shrinks, browse
// is refused first, cart next, and checkout only when all in flight fills
// its larger limit. Under a slow provider only checkout slows: the shop's
// limit holds and browse and cart go on; checkout's own limit may shrink,
// but never below the shop's, so checkout is never refused earlier than it
// was with one limit. What the split gives up: a flood of checkouts beyond
// their limit is refused even while the few browse requests in flight are
// admitted, because browse no longer counts checkouts.
package shed
