package jetstream

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"log/slog"
	"strconv"
	"sync"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"go.opentelemetry.io/otel/attribute"

	"github.com/peakshop/peakshop/internal/domain/event"
)

// Subscription describes one durable subscriber. Each has its own consumer
// and its own goroutines, so a slow or failing one delays nobody else.
type Subscription struct {
	// Name is the durable consumer's name and the dead letters' label.
	Name    string
	Types   []event.Type
	Handler event.Handler
	// AckWait is the visibility timeout: a message not acknowledged within
	// it is delivered again (default 30s).
	AckWait time.Duration
	// MaxDeliver is how many attempts a message gets before it is dead-
	// lettered (default 5).
	MaxDeliver int
	// Backoff is the delay before attempt n+1 after attempt n failed; the
	// last entry repeats (default 1s, 5s, 30s).
	Backoff []time.Duration
	// Workers handle messages in parallel; events with the same key always
	// go to the same worker, so one order's events are handled in the order
	// they were published (default 4).
	Workers int
}

// Pulls expire after pullExpiry, and a pull the server stops answering is
// noticed after two missed heartbeats and sent again. Both only bound what
// a lost request costs; pull (below) sends the next one as soon as the last
// ends.
const (
	pullExpiry    = 5 * time.Second
	pullHeartbeat = time.Second
)

func (s *Subscription) defaults() {
	if s.AckWait <= 0 {
		s.AckWait = 30 * time.Second
	}
	if s.MaxDeliver <= 0 {
		s.MaxDeliver = 5
	}
	if len(s.Backoff) == 0 {
		s.Backoff = []time.Duration{time.Second, 5 * time.Second, 30 * time.Second}
	}
	if s.Workers <= 0 {
		s.Workers = 4
	}
}

func (s *Subscription) backoff(attempt int) time.Duration {
	return s.Backoff[min(attempt, len(s.Backoff))-1]
}

// Subscribe creates or updates the durable consumer and handles its messages
// until the returned stop is called; stop waits for handlers in flight.
func (b *Bus) Subscribe(ctx context.Context, sub Subscription) (stop func(), err error) {
	sub.defaults()
	subjects := []string{redrivePrefix + sub.Name}
	for _, t := range sub.Types {
		subjects = append(subjects, Subject(t))
	}
	ccfg := jetstream.ConsumerConfig{
		Durable: sub.Name, FilterSubjects: subjects, AckPolicy: jetstream.AckExplicitPolicy,
		AckWait: sub.AckWait, MaxAckPending: sub.Workers * 64, DeliverPolicy: jetstream.DeliverAllPolicy,
		// The server's own limit is a backstop for a message that kills the
		// process before its handler returns; dead-lettering happens here.
		MaxDeliver: sub.MaxDeliver * 2,
	}
	// Servers before 2.10 know one filter subject per consumer: there the
	// consumer reads the whole stream and skips what it did not ask for.
	wanted := map[string]bool{}
	if !b.multiFilter() {
		for _, s := range subjects {
			wanted[s] = true
		}
		ccfg.FilterSubjects = nil
	}
	cons, err := b.js.CreateOrUpdateConsumer(ctx, EventsStream, ccfg)
	if err != nil {
		return nil, fmt.Errorf("jetstream: consumer %s: %w", sub.Name, err)
	}
	runCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	var wg sync.WaitGroup
	lanes := make([]chan delivery, sub.Workers)
	for i := range lanes {
		lanes[i] = make(chan delivery, 64)
		wg.Go(func() {
			for d := range lanes[i] {
				b.handle(runCtx, &sub, d)
			}
		})
	}
	pullCtx, stopPulling := context.WithCancel(runCtx)
	pulled := make(chan struct{})
	go func() {
		defer close(pulled)
		b.pull(pullCtx, cons, sub.Name, sub.Workers*32, func(m jetstream.Msg) {
			if len(wanted) > 0 && !wanted[m.Subject()] {
				_ = m.Ack()
				return
			}
			d := decode(m)
			select {
			case lanes[d.lane(len(lanes))] <- d:
			case <-pullCtx.Done(): // stopping: unacknowledged, it comes back after AckWait
			}
		})
	}()
	return func() {
		stopPulling()
		<-pulled
		for _, l := range lanes {
			close(l)
		}
		wg.Wait()
		cancel()
	}, nil
}

// pull fetches the consumer's messages one batch at a time and passes each
// to deliver, in order, until ctx ends.
//
// A batch at a time rather than nats.go's Consume: in v1.55.0 Consume skips
// its next pull while the previous pull request is still being sent, and
// looks again only when the next message or status arrives. When the
// sending goroutine is descheduled (2 busy cores) until every message
// already asked for has come, nothing more arrives and the consumer idles
// with messages waiting until two heartbeats are missed: 5 of 25 runs of
// 50,000 events stalled for 2 s that way (the consumer showed no pull
// waiting and nothing unacknowledged). Here the next pull goes out as soon
// as the last one ends, so there is no such window.
func (b *Bus) pull(ctx context.Context, cons jetstream.Consumer, name string, batch int, deliver func(jetstream.Msg)) {
	const minRetry, maxRetry = 50 * time.Millisecond, 2 * time.Second
	retry := minRetry
	for ctx.Err() == nil {
		fctx, cancel := context.WithTimeout(ctx, pullExpiry)
		msgs, err := cons.Fetch(batch, jetstream.FetchContext(fctx), jetstream.FetchHeartbeat(pullHeartbeat))
		if err == nil {
			for m := range msgs.Messages() {
				deliver(m)
			}
			err = msgs.Error()
		}
		cancel()
		switch {
		case ctx.Err() != nil:
			return
		case err == nil, errors.Is(err, context.DeadlineExceeded):
			retry = minRetry // a pull that ended, full or expired
		case errors.Is(err, jetstream.ErrNoHeartbeat):
			// The request was lost (a server restart, a dropped
			// connection): ask again now; reconnecting is nats.go's job.
			b.logger.Debug("consumer pull lost", "consumer", name, "err", err)
		default:
			// The first failure of a streak is worth a warning (a deleted
			// consumer, a server refusing pulls); its repeats every few
			// seconds are not.
			level := slog.LevelDebug
			if retry == minRetry && !errors.Is(err, nats.ErrConnectionClosed) {
				level = slog.LevelWarn
			}
			b.logger.Log(ctx, level, "consumer pull failed; retrying", "consumer", name, "err", err, "retry_in", retry)
			select {
			case <-ctx.Done():
			case <-time.After(retry):
			}
			retry = min(2*retry, maxRetry)
		}
	}
}

// delivery is a message with its event decoded once, for the lane choice
// and the handler both.
type delivery struct {
	m   jetstream.Msg
	e   event.Event
	err error // the data is not an event
}

func decode(m jetstream.Msg) delivery {
	d := delivery{m: m}
	if err := json.Unmarshal(m.Data(), &d.e); err != nil {
		d.err = fmt.Errorf("undecodable event: %w", err)
	}
	return d
}

// lane picks a worker by the event's key; messages that do not parse go to
// lane 0, where handle dead-letters them.
func (d delivery) lane(n int) int {
	if d.err != nil {
		return 0
	}
	h := fnv.New32a()
	h.Write([]byte(d.e.Key))
	return int(h.Sum32() % uint32(n))
}

func (b *Bus) handle(ctx context.Context, sub *Subscription, d delivery) {
	m, e := d.m, d.e
	md, err := m.Metadata()
	if err != nil {
		b.logger.Error("message without metadata", "consumer", sub.Name, "err", err)
		return
	}
	attempt := int(md.NumDelivered)
	// The handler runs in the publisher's trace, with its baggage: a
	// synthetic order stays synthetic for the subscribers.
	ctx, span := b.startProcess(ctx, sub.Name, m)
	if span != nil {
		span.SetAttributes(attribute.Int("messaging.delivery.attempt", attempt))
	}
	if err = d.err; err != nil {
		attempt = sub.MaxDeliver // retrying cannot help
	} else {
		hctx, cancel := context.WithTimeout(ctx, sub.AckWait)
		err = sub.Handler(hctx, e)
		cancel()
	}
	defer endSpan(span, err)
	if err == nil {
		if aerr := m.Ack(); aerr != nil {
			b.logger.Warn("ack failed; the event will be redelivered", "consumer", sub.Name, "event_id", e.ID, "err", aerr)
		}
		return
	}
	if attempt < sub.MaxDeliver {
		b.logger.Warn("subscriber failed; will retry", "consumer", sub.Name, "event_id", e.ID, "attempt", attempt, "err", err)
		_ = m.NakWithDelay(sub.backoff(attempt))
		return
	}
	if derr := b.deadLetter(ctx, sub.Name, m, md, e.ID, err, attempt); derr != nil {
		b.logger.Error("dead-lettering failed; will retry", "consumer", sub.Name, "event_id", e.ID, "err", derr)
		_ = m.NakWithDelay(sub.backoff(attempt))
		return
	}
	b.logger.Error("event dead-lettered", "consumer", sub.Name, "event_id", e.ID, "attempts", attempt, "err", err)
	_ = m.Term()
}

// deadLetter keeps the message, its error and its attempt count in the dead-
// letter stream. Its message id is the consumer and stream sequence, so a
// retry after a crash stores it once.
func (b *Bus) deadLetter(ctx context.Context, consumer string, m jetstream.Msg, md *jetstream.MsgMetadata, eventID string, cause error, attempts int) error {
	dl := nats.NewMsg(deadPrefix + consumer)
	dl.Data = m.Data()
	dl.Header.Set(hdrConsumer, consumer)
	dl.Header.Set(hdrSubject, m.Subject())
	dl.Header.Set(hdrEventID, eventID)
	dl.Header.Set(hdrError, cause.Error())
	dl.Header.Set(hdrAttempts, strconv.Itoa(attempts))
	dl.Header.Set(hdrFailedAt, time.Now().UTC().Format(time.RFC3339Nano))
	setTrace(dl.Header, b.traceOf(m.Headers()))
	id := consumer + ":" + strconv.FormatUint(md.Sequence.Stream, 10)
	_, err := b.js.PublishMsg(ctx, dl, jetstream.WithMsgID(id))
	return err
}

// multiFilter reports whether the server takes several filter subjects on
// one consumer (nats-server 2.10 and later).
func (b *Bus) multiFilter() bool {
	var major, minor int
	if _, err := fmt.Sscanf(b.nc.ConnectedServerVersion(), "%d.%d", &major, &minor); err != nil {
		return true
	}
	return major > 2 || major == 2 && minor >= 10
}
