// Package simulator owns the built-in payment gateway: an in-process
// payment.Gateway that honours Stripe's test tokens, keeps Stripe's
// idempotency promise (a key charges once, however many calls race) and can
// be told at run time to be slow, flaky or stingy, for chaos experiments.
//
// It is written by hand because no library simulates a gateway in process:
// stripe-mock is a separate HTTP server and stateless (a replayed key does not
// return the first charge), and nothing offers knobs that can be turned while
// the shop runs.
//
// State lives in memory (Options.LedgerPath empty: unit tests, embedders)
// or in a ledger, an SQLite file of the simulator's own (Open with
// LedgerPath). In memory a restart forgets every charge, and with it the
// money. The ledger outlives processes and is shared by all that name it,
// as a real provider is shared by a shop and its separate workers: its
// idempotency keys, charges and refunds survive a killed worker, a key
// charges once even when processes race it, and AuditLedger counts each
// order's charges and refunds afterwards. The simulator opens the file
// itself (database/sql and modernc.org/sqlite) rather than through
// internal/storage: it stands for the provider's database, not the shop's,
// and must not share the shop's schema, migrations or engine choice (the
// shop may run on PostgreSQL while the simulated provider stays a file).
package simulator

import (
	"context"
	crand "crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"

	"github.com/peakshop/peakshop/internal/domain/payment"
)

// Errors for calls the shop should never make; they are bugs, not outcomes.
var (
	// ErrInvalidRequest means a call lacked a key, a positive amount or a
	// currency, or reused an idempotency key with different parameters.
	ErrInvalidRequest = errors.New("simulator: invalid request")
	// ErrUnknownCharge means a refund named a charge that was never captured.
	ErrUnknownCharge = errors.New("simulator: no such charge")
	// ErrAlreadyRefunded means a charge was refunded in full under another key.
	ErrAlreadyRefunded = errors.New("simulator: charge already refunded")
)

var _ payment.Gateway = (*Simulator)(nil)

// Options configures a Simulator. The rates and latency are only starting
// values; the Set methods change them while the simulator is in use.
type Options struct {
	// Seed makes charge ids and the chaos dice repeatable. Zero seeds from
	// crypto/rand, as a real gateway's ids cannot be predicted either.
	Seed uint64
	// Latency is added to every call, as a network and issuer round trip would.
	Latency time.Duration
	// FailureRate is the share of charges and refunds (0..1) that fail with
	// payment.ErrUnavailable before any money moves.
	FailureRate float64
	// DeclineRate is the share of charges (0..1) with a good card that are
	// declined anyway with card_declined.
	DeclineRate float64
	// LedgerPath is the SQLite file that keeps charges and refunds across
	// restarts and processes; empty keeps them in memory. Only Open honours
	// it.
	LedgerPath string
}

// Stats counts what a Simulator did, for tests and metrics. On a ledger it
// counts this Simulator's calls only; AuditLedger sums every process's.
type Stats struct {
	Charges  int64 // charges captured; each idempotency key counts once
	Declines int64 // charges declined, by token or by the decline knob
	Failures int64 // charges and refunds that ended in payment.ErrUnavailable, replays aside
	Refunds  int64 // charges refunded; each charge counts once
	Replays  int64 // charge calls given the answer of an earlier or in-flight call with the same key
}

// Simulator is a simulated payment gateway. It is safe for concurrent use.
type Simulator struct {
	// The knobs are atomics so chaos tooling can turn them from any goroutine
	// without queueing behind charges.
	latency     atomic.Int64  // time.Duration
	failureRate atomic.Uint64 // math.Float64bits
	declineRate atomic.Uint64 // math.Float64bits

	rngMu sync.Mutex
	rng   *rand.Rand

	mu     sync.Mutex
	ledger *ledger // nil in memory; then the maps below hold the state

	charges map[string]*charge // by idempotency key, including calls in flight
	byID    map[string]*charge // captured charges by charge id
	refunds map[string]string  // refund idempotency key -> charge id

	charged, declined, failed, refunded, replayed atomic.Int64
}

// New returns an in-memory Simulator configured by opts. A ledger needs a
// file opened, which can fail: New panics when opts.LedgerPath is set, as
// that is a programming error; use Open.
func New(opts Options) *Simulator {
	if opts.LedgerPath != "" {
		panic("simulator: New with a LedgerPath; use Open")
	}
	return newSimulator(opts)
}

// Open returns a Simulator configured by opts, on the ledger at
// opts.LedgerPath (created if missing) or in memory when it is empty. Close
// releases the ledger.
func Open(ctx context.Context, opts Options) (*Simulator, error) {
	s := newSimulator(opts)
	if opts.LedgerPath == "" {
		return s, nil
	}
	l, err := openLedger(ctx, opts.LedgerPath)
	if err != nil {
		return nil, err
	}
	s.ledger = l
	return s, nil
}

// Close releases the ledger; an in-memory Simulator has nothing to release.
func (s *Simulator) Close() error {
	if s.ledger == nil {
		return nil
	}
	return s.ledger.close()
}

// Durable reports whether the state lives in a ledger.
func (s *Simulator) Durable() bool { return s.ledger != nil }

func newSimulator(opts Options) *Simulator {
	seed := opts.Seed
	if seed == 0 {
		var b [8]byte
		_, _ = crand.Read(b[:]) // crypto/rand.Read never fails on supported platforms
		seed = binary.LittleEndian.Uint64(b[:])
	}
	s := &Simulator{
		rng:     rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)),
		charges: make(map[string]*charge),
		byID:    make(map[string]*charge),
		refunds: make(map[string]string),
	}
	s.SetLatency(opts.Latency)
	s.SetFailureRate(opts.FailureRate)
	s.SetDeclineRate(opts.DeclineRate)
	return s
}

// SetLatency sets the delay added to every call; zero or less removes it.
func (s *Simulator) SetLatency(d time.Duration) { s.latency.Store(int64(max(d, 0))) }

// SetFailureRate sets the share of charges and refunds (clamped to 0..1)
// that fail with payment.ErrUnavailable before any money moves.
func (s *Simulator) SetFailureRate(f float64) { s.failureRate.Store(math.Float64bits(clamp(f))) }

// SetDeclineRate sets the share of charges (clamped to 0..1) with a good
// card that are declined with card_declined.
func (s *Simulator) SetDeclineRate(f float64) { s.declineRate.Store(math.Float64bits(clamp(f))) }

// Stats returns the counters so far.
func (s *Simulator) Stats() Stats {
	return Stats{
		Charges:  s.charged.Load(),
		Declines: s.declined.Load(),
		Failures: s.failed.Load(),
		Refunds:  s.refunded.Load(),
		Replays:  s.replayed.Load(),
	}
}

func clamp(f float64) float64 {
	if math.IsNaN(f) || f < 0 {
		return 0
	}
	return min(f, 1)
}

// wait sleeps for the configured latency, giving up when ctx ends.
func (s *Simulator) wait(ctx context.Context) error {
	if d := time.Duration(s.latency.Load()); d > 0 {
		t := time.NewTimer(d)
		defer t.Stop()
		select {
		case <-t.C:
		case <-ctx.Done():
		}
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("%w: %w", payment.ErrUnavailable, err)
	}
	return nil
}

// dice is one call's draw. Every call draws the same values whatever the
// knobs say, so a seeded run stays repeatable when the knobs change.
type dice struct {
	fail, decline bool
	chargeID      string
}

const idAlphabet = "0123456789abcdefghijklmnopqrstuvwxyz"

func (s *Simulator) roll() dice {
	s.rngMu.Lock()
	defer s.rngMu.Unlock()
	d := dice{
		fail:    s.rng.Float64() < math.Float64frombits(s.failureRate.Load()),
		decline: s.rng.Float64() < math.Float64frombits(s.declineRate.Load()),
	}
	id := []byte("ch_sim_")
	for range 24 {
		id = append(id, idAlphabet[s.rng.IntN(len(idAlphabet))])
	}
	d.chargeID = string(id)
	return d
}
