// Package cache owns the edge's shared HTTP cache: what a CDN does for the
// shop. It follows RFC 9111 for a shared cache (s-maxage, max-age, Expires,
// no-store, private, no-cache, must-revalidate, Vary, Age, revalidation with
// ETag and Last-Modified) plus RFC 5861's stale-while-revalidate and
// stale-if-error, collapses concurrent misses of one key into one origin
// request, and purges by URL and by Surrogate-Key.
//
// Storage is github.com/maypok86/otter/v2, bounded by bytes. Its loader also
// coalesces misses, but a cache key is only known for sure once the origin
// has answered (Vary), and a response that turns out not to be storable must
// release the waiters at once instead of being shared; so collapsing is a
// small hand-written flight group keyed by what the lookup knew.
//
// Deliberate choices, where RFC 9111 leaves room:
//   - Only explicit lifetimes are stored unless Config.Heuristic is set.
//   - Responses with Set-Cookie are never stored: sharing one would hand a
//     shopper's session to the next visitor.
//   - Requests with Authorization, Range or a no-store directive bypass the
//     cache; a client's no-cache is ignored, as CDNs do, so a crowd cannot
//     push a flash sale's traffic through to the origin.
//   - An explicit stale-while-revalidate or stale-if-error wins over the
//     proxy-revalidate that s-maxage implies; an explicit must-revalidate or
//     proxy-revalidate still forbids serving stale.
package cache
