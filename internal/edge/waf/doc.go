// Package waf owns the edge's web application firewall, in two layers
// priced differently:
//
//   - Guard: cheap custom rules run on every request (IP and CIDR allow
//     and deny lists, path and header match rules, per-route body limits),
//     a few hundred nanoseconds.
//   - RuleSet: Coraza with the embedded OWASP Core Rule Set v4, about
//     0.65 ms per benign GET, so the edge puts it behind the cache: only
//     requests that reach the origin pay for it.
//
// Both refuse with 403 and the request id, log every block with its rule,
// count blocks per rule, and never touch the configured health-check paths.
package waf
