// Package edge assembles the front door that stands beside the shop: load
// balancer (proxy), CDN-grade cache, firewall (waf), rate-based rules
// (ratelimit), priority load shedding (shed), virtual waiting room
// (waitroom), image resizing (imaging) and compression, in that order of cost-consciousness: cheap
// checks on every request, the expensive rule set only on what reaches the
// origin. It never imports the shop's domain; it talks to the shop over
// HTTP, or wraps the shop's http.Handler when run in the same process.
//
// Request path, outermost first:
//
//	request id -> guard (IP lists, match rules, body limits) -> rate rules
//	-> waiting room -> cache -> shedder -> image resizing -> compression
//	-> CRS rule set -> origin (the proxy's pools, or Config.Origin in-process)
//
// Run's plain listeners hold each cache hit's writes and send them in one
// system call (package cork); everything else streams as net/http writes it.
//
// The admin API (pools, drains, routes, purges, counters) is served on its
// own loopback listener, never on the public one.
package edge
