// Package loadgen is peakshop's load generator: open-model traffic from a
// schedule (constant, ramp, step, spike, daily curve, CSV replay), virtual
// shoppers with sessions walking journeys through the storefront pages and
// the JSON API, a share of hostile traffic, and latency in HDR histograms
// per step, with the funnel and SLO verdicts as the result.
//
// It stands beside the shop (layer 6): it talks HTTP like any outside
// client and never imports the domain or storage, so what it measures is
// what a shopper would see. The pieces are separate so that the chaos and
// rehearsal commands can reuse them: Profile and Arrivals are the schedule,
// Run drives a Scenario against a target and returns a Result, and
// Result.Check judges the SLOs. For `peakshop rehearse` a scenario may add a
// flash sale (a second stream of arrivals buying a few hot products), a
// run may send per-session client addresses in X-Forwarded-For
// (Config.ForwardedFor) and report every accepted order (Config.OnOrder).
//
// Open model: arrivals (new shopper sessions) follow the schedule whatever
// the shop's response times; when the generator cannot start a session on
// time (all shopper slots busy, CPU starved) the arrival still happens, late,
// and is counted as late rather than silently skipped.
package loadgen
