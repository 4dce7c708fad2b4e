// Package proxy owns the edge's load balancer: upstream pools of targets,
// selection policies, active health checks, passive outlier ejection,
// routing rules with weighted splits between pools, retries, and the admin
// API that adds and drains targets at run time.
//
// It follows the shape of Caddy's reverse proxy: a target's configuration
// (its URL) is kept apart from its live shared state (atomic counters), one
// Available predicate is read by every selection policy, policies are tiny
// one-method selectors, and health flips only after consecutive results.
// Forwarding itself is net/http/httputil.ReverseProxy; what is hand-written
// is the part httputil leaves to its caller: choosing, counting and retrying
// targets, done in a RoundTripper so that a retry happens before the client
// has seen a single byte.
package proxy
