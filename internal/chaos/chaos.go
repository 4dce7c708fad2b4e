// Package chaos owns peakshop's chaos experiments: the experiment file
// (steady-state probes, faults with a start and a duration, abort rules),
// the faults themselves and the run that injects and undoes them.
//
// Faults act on processes (SIGKILL, SIGSTOP/SIGCONT, restart of a process
// chaos started), on connections through Links (TCP fault proxies built on
// toxiproxy used as a library: latency, resets, blackhole, cut), on the
// payment simulator through the shop's loopback chaos-control listener, and
// on the queue (a burst of harmless events on JetStream). Run undoes every
// fault it injected before it returns, whatever ended the run.
//
// Like the load generator it stands beside the shop: it talks to it over
// HTTP, TCP and NATS and never imports the domain. That is why fill_queue
// publishes with nats.go directly rather than through
// internal/messaging/jetstream, whose Publish takes the domain's event type.
package chaos
