package jetstream

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// Headers of a dead letter.
const (
	hdrConsumer = "Peakshop-Consumer"
	hdrSubject  = "Peakshop-Subject"
	hdrEventID  = "Peakshop-Event-Id"
	hdrError    = "Peakshop-Error"
	hdrAttempts = "Peakshop-Attempts"
	hdrFailedAt = "Peakshop-Failed-At"
)

// DeadLetter is a message a subscriber gave up on.
type DeadLetter struct {
	Seq      uint64    `json:"seq"`
	Consumer string    `json:"consumer"`
	Subject  string    `json:"subject"`
	EventID  string    `json:"event_id"`
	Error    string    `json:"error"`
	Attempts int       `json:"attempts"`
	FailedAt time.Time `json:"failed_at"`
	Data     []byte    `json:"data"`
	// Trace is the failed message's W3C trace headers (traceparent,
	// tracestate, baggage) by name; Redrive sends them on, so the redriven
	// event is handled in the trace of the request that recorded it, and a
	// rehearsal's synthetic event stays synthetic.
	Trace map[string]string `json:"trace,omitempty"`
}

// DeadLetters lists up to limit dead letters, oldest first.
func (b *Bus) DeadLetters(ctx context.Context, limit int) ([]DeadLetter, error) {
	st, err := b.js.Stream(ctx, DeadStream)
	if err != nil {
		return nil, fmt.Errorf("jetstream: %w", err)
	}
	info, err := st.Info(ctx)
	if err != nil {
		return nil, fmt.Errorf("jetstream: %w", err)
	}
	var out []DeadLetter
	for seq := info.State.FirstSeq; seq <= info.State.LastSeq && seq > 0 && len(out) < limit; seq++ {
		dl, err := b.deadLetterIn(ctx, st, seq)
		if errors.Is(err, jetstream.ErrMsgNotFound) {
			continue // redriven or deleted
		}
		if err != nil {
			return nil, err
		}
		out = append(out, dl)
	}
	return out, nil
}

// DeadLetter returns the dead letter at a sequence of the dead-letter stream.
func (b *Bus) DeadLetter(ctx context.Context, seq uint64) (DeadLetter, error) {
	st, err := b.js.Stream(ctx, DeadStream)
	if err != nil {
		return DeadLetter{}, fmt.Errorf("jetstream: %w", err)
	}
	return b.deadLetterIn(ctx, st, seq)
}

// deadLetterIn reads one dead letter from the dead-letter stream st, so a
// listing looks the stream up once, not once per letter.
func (b *Bus) deadLetterIn(ctx context.Context, st jetstream.Stream, seq uint64) (DeadLetter, error) {
	m, err := st.GetMsg(ctx, seq)
	if err != nil {
		return DeadLetter{}, fmt.Errorf("jetstream: dead letter %d: %w", seq, err)
	}
	attempts, _ := strconv.Atoi(m.Header.Get(hdrAttempts))
	at, _ := time.Parse(time.RFC3339Nano, m.Header.Get(hdrFailedAt))
	return DeadLetter{Seq: seq, Consumer: m.Header.Get(hdrConsumer), Subject: m.Header.Get(hdrSubject),
		EventID: m.Header.Get(hdrEventID), Error: m.Header.Get(hdrError), Attempts: attempts, FailedAt: at, Data: m.Data,
		Trace: b.traceOf(m.Header)}, nil
}

// traceOf returns the trace headers a message carries, by the names the
// propagator writes, or nil when it carries none.
func (b *Bus) traceOf(h nats.Header) map[string]string {
	var out map[string]string
	for _, f := range b.cfg.Tracing.propagator().Fields() {
		if v := headerCarrier(h).Get(f); v != "" {
			if out == nil {
				out = map[string]string{}
			}
			out[f] = v
		}
	}
	return out
}

// setTrace writes trace headers read by traceOf onto a message.
func setTrace(h nats.Header, trace map[string]string) {
	for k, v := range trace {
		headerCarrier(h).Set(k, v)
	}
}

// Redrive hands a dead letter back to the one subscriber that failed it (on
// its redrive subject, so the others are not bothered), with the failed
// message's trace headers, and removes it from the dead-letter stream. The
// redrive's message id is derived from the sequence, so redriving twice
// delivers once.
func (b *Bus) Redrive(ctx context.Context, seq uint64) error {
	dl, err := b.DeadLetter(ctx, seq)
	if err != nil {
		return err
	}
	m := nats.NewMsg(redrivePrefix + dl.Consumer)
	m.Data = dl.Data
	setTrace(m.Header, dl.Trace)
	if _, err := b.js.PublishMsg(ctx, m, jetstream.WithMsgID("redrive:"+strconv.FormatUint(seq, 10))); err != nil {
		return fmt.Errorf("jetstream: redrive %d: %w", seq, err)
	}
	st, err := b.js.Stream(ctx, DeadStream)
	if err != nil {
		return fmt.Errorf("jetstream: %w", err)
	}
	if err := st.DeleteMsg(ctx, seq); err != nil && !errors.Is(err, jetstream.ErrMsgNotFound) {
		return fmt.Errorf("jetstream: delete dead letter %d: %w", seq, err)
	}
	return nil
}
