package jetstream

import (
	"context"
	"strings"
	"sync"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"github.com/prometheus/client_golang/prometheus"
)

// Queue series, read from JetStream on scrape (see Collector).
var (
	descStreamMsgs = prometheus.NewDesc("peakshop_queue_stream_messages",
		"Messages stored in a JetStream stream (events are kept for replay, so this is retention, not backlog).", []string{"stream"}, nil)
	descPending = prometheus.NewDesc("peakshop_queue_consumer_pending_messages",
		"Messages of a durable consumer not yet delivered (JetStream num_pending).", []string{"consumer"}, nil)
	descAckPending = prometheus.NewDesc("peakshop_queue_consumer_ack_pending_messages",
		"Messages delivered to a durable consumer and not yet acknowledged (JetStream num_ack_pending).", []string{"consumer"}, nil)
	// On a server before 2.10 a consumer reads the whole stream and skips
	// the subjects it did not ask for (consume.go), so there the server's
	// counts, and this lag, include messages it has yet to skip.
	descLag = prometheus.NewDesc("peakshop_queue_consumer_lag_messages",
		"Messages a durable consumer has yet to finish: pending plus ack pending (the queue-lag alarm's signal).", []string{"consumer"}, nil)
	descRedelivered = prometheus.NewDesc("peakshop_queue_consumer_redelivered_messages",
		"Messages of a durable consumer delivered more than once and not yet acknowledged.", []string{"consumer"}, nil)
	descDead = prometheus.NewDesc("peakshop_queue_dead_letters",
		"Dead letters waiting in the dead-letter stream, per subscriber (until redriven or purged).", []string{"consumer"}, nil)
	descUp = prometheus.NewDesc("peakshop_queue_up",
		"1 when the last look at JetStream succeeded, 0 when it failed (the queue series are then the last known).", nil, nil)
)

// queueStats is one look at JetStream.
type queueStats struct {
	streams   map[string]uint64
	consumers []*jetstream.ConsumerInfo
	dead      map[string]uint64 // by consumer
	ok        bool
}

// Collector reports queue depth, consumer lag and dead letters per
// subscriber from JetStream's stream and consumer info. It looks on scrape
// but at most once per ttl (default 5s), whatever the number of scrapers
// (Prometheus, the console, the alarm engine), and each look is bounded by
// a 2-second deadline: a scrape cannot hammer NATS, nor hang on it.
// Consumers are listed from the server, so subscribers running in a
// separate worker show too. Labels are durable consumer and stream names,
// a fixed set.
func (b *Bus) Collector(ttl time.Duration) prometheus.Collector {
	if ttl <= 0 {
		ttl = 5 * time.Second
	}
	return &queueCollector{bus: b, ttl: ttl}
}

type queueCollector struct {
	bus *Bus
	ttl time.Duration

	mu   sync.Mutex
	at   time.Time
	last queueStats
}

func (c *queueCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{descStreamMsgs, descPending, descAckPending, descLag, descRedelivered, descDead, descUp} {
		ch <- d
	}
}

func (c *queueCollector) Collect(ch chan<- prometheus.Metric) {
	st := c.stats()
	gauge := func(d *prometheus.Desc, v float64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v, labels...)
	}
	up := 0.0
	if st.ok {
		up = 1
	}
	gauge(descUp, up)
	for name, n := range st.streams {
		gauge(descStreamMsgs, float64(n), name)
	}
	for _, ci := range st.consumers {
		gauge(descPending, float64(ci.NumPending), ci.Name)
		gauge(descAckPending, float64(ci.NumAckPending), ci.Name)
		gauge(descLag, float64(ci.NumPending)+float64(ci.NumAckPending), ci.Name)
		gauge(descRedelivered, float64(ci.NumRedelivered), ci.Name)
		gauge(descDead, float64(st.dead[ci.Name]), ci.Name)
	}
	for name, n := range st.dead {
		if !st.hasConsumer(name) { // a subscriber since removed: its dead letters still wait
			gauge(descDead, float64(n), name)
		}
	}
}

func (s queueStats) hasConsumer(name string) bool {
	for _, ci := range s.consumers {
		if ci.Name == name {
			return true
		}
	}
	return false
}

// stats returns the cached look, refreshing it when older than ttl. The
// lock is held across the refresh so concurrent scrapes share one look.
func (c *queueCollector) stats() queueStats {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.at.IsZero() && time.Since(c.at) < c.ttl {
		return c.last
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	st, err := c.bus.queueStats(ctx)
	c.at = time.Now()
	if err != nil {
		c.bus.logger.Debug("queue metrics: JetStream info failed", "err", err)
		c.last.ok = false // keep the last known figures, flagged stale by peakshop_queue_up
		return c.last
	}
	c.last = st
	return st
}

func (b *Bus) queueStats(ctx context.Context) (queueStats, error) {
	st := queueStats{streams: map[string]uint64{}, dead: map[string]uint64{}, ok: true}
	events, err := b.js.Stream(ctx, EventsStream)
	if err != nil {
		return st, err
	}
	info, err := events.Info(ctx)
	if err != nil {
		return st, err
	}
	st.streams[EventsStream] = info.State.Msgs
	lister := events.ListConsumers(ctx)
	for ci := range lister.Info() {
		st.consumers = append(st.consumers, ci)
	}
	if err := lister.Err(); err != nil {
		return st, err
	}
	dead, err := b.js.Stream(ctx, DeadStream)
	if err != nil {
		return st, err
	}
	dinfo, err := dead.Info(ctx, jetstream.WithSubjectFilter(deadPrefix+">"))
	if err != nil {
		return st, err
	}
	st.streams[DeadStream] = dinfo.State.Msgs
	for subject, n := range dinfo.State.Subjects {
		st.dead[strings.TrimPrefix(subject, deadPrefix)] += n
	}
	return st, nil
}
