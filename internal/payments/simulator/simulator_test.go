package simulator

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/peakshop/peakshop/internal/domain/money"
	"github.com/peakshop/peakshop/internal/domain/payment"
)

func request(key, token string) payment.ChargeRequest {
	return payment.ChargeRequest{
		IdempotencyKey: key,
		OrderID:        "ord_" + key,
		Amount:         money.Money{Amount: 1999, Currency: "USD"},
		Token:          token,
	}
}

// modes builds a Simulator in memory and on a fresh ledger, so the
// gateway's promises are checked on both.
func modes() map[string]func(testing.TB, Options) *Simulator {
	return map[string]func(testing.TB, Options) *Simulator{
		"memory": func(_ testing.TB, o Options) *Simulator { return New(o) },
		"ledger": func(tb testing.TB, o Options) *Simulator {
			o.LedgerPath = filepath.Join(tb.TempDir(), "payments-sim.db")
			return mustOpen(tb, o)
		},
	}
}

func mustOpen(tb testing.TB, o Options) *Simulator {
	tb.Helper()
	s, err := Open(context.Background(), o)
	if err != nil {
		tb.Fatalf("Open(%s): %v", o.LedgerPath, err)
	}
	tb.Cleanup(func() {
		if err := s.Close(); err != nil {
			tb.Errorf("Close: %v", err)
		}
	})
	return s
}

func mustCharge(tb testing.TB, s *Simulator, req payment.ChargeRequest) payment.Receipt {
	tb.Helper()
	r, err := s.Charge(context.Background(), req)
	if err != nil {
		tb.Fatalf("Charge(%q): %v", req.Token, err)
	}
	return r
}

func TestChargeTokens(t *testing.T) {
	for mode, open := range modes() {
		t.Run(mode, func(t *testing.T) {
			tests := []struct {
				token, code string // code "" means the charge is captured
			}{
				{"tok_visa", ""},
				{"tok_visa_debit", ""},
				{"tok_mastercard", ""},
				{"tok_amex", ""},
				{"tok_discover", ""},
				{"tok_chargeDeclined", "card_declined"},
				{"tok_chargeDeclinedInsufficientFunds", "insufficient_funds"},
				{"tok_chargeDeclinedExpiredCard", "expired_card"},
				{"tok_chargeDeclinedIncorrectCvc", "incorrect_cvc"},
				{"tok_chargeDeclinedFraudulent", "fraudulent"},
				{"tok_nonsense", "invalid_token"},
				{"", "invalid_token"},
			}
			s := open(t, Options{Seed: 1})
			for i, tt := range tests {
				t.Run(tt.token, func(t *testing.T) {
					req := request(fmt.Sprint("k", i), tt.token)
					r, err := s.Charge(context.Background(), req)
					if tt.code == "" {
						if err != nil {
							t.Fatalf("err = %v, want a receipt", err)
						}
						if !strings.HasPrefix(r.ChargeID, "ch_sim_") || len(r.ChargeID) != len("ch_sim_")+24 {
							t.Errorf("ChargeID = %q, want ch_sim_ and 24 characters", r.ChargeID)
						}
						if r.Amount != req.Amount {
							t.Errorf("Amount = %v, want %v", r.Amount, req.Amount)
						}
						return
					}
					var d *payment.DeclinedError
					if !errors.As(err, &d) {
						t.Fatalf("err = %v, want *payment.DeclinedError", err)
					}
					if d.Code != tt.code || d.Message == "" {
						t.Errorf("decline = %+v, want code %q and a message", d, tt.code)
					}
					if strings.Contains(strings.ToLower(d.Message), "fraud") {
						t.Errorf("message %q reveals the fraud check", d.Message)
					}
				})
			}
			if st := s.Stats(); st.Charges != 5 || st.Declines != 7 {
				t.Errorf("Stats = %+v, want 5 charges and 7 declines", st)
			}
		})
	}
}

func TestChargeInvalidRequest(t *testing.T) {
	for mode, open := range modes() {
		t.Run(mode, func(t *testing.T) {
			s := open(t, Options{Seed: 1})
			bad := []payment.ChargeRequest{
				request("", "tok_visa"),
				{IdempotencyKey: "k", Amount: money.Money{Amount: 0, Currency: "USD"}, Token: "tok_visa"},
				{IdempotencyKey: "k", Amount: money.Money{Amount: 5, Currency: "usd"}, Token: "tok_visa"},
			}
			for _, req := range bad {
				if _, err := s.Charge(context.Background(), req); !errors.Is(err, ErrInvalidRequest) {
					t.Errorf("Charge(%+v) = %v, want ErrInvalidRequest", req, err)
				}
			}
			mustCharge(t, s, request("k", "tok_visa"))
			other := request("k", "tok_mastercard")
			if _, err := s.Charge(context.Background(), other); !errors.Is(err, ErrInvalidRequest) {
				t.Errorf("reused key with another token = %v, want ErrInvalidRequest", err)
			}
		})
	}
}

func TestChargeIdempotent(t *testing.T) {
	for mode, open := range modes() {
		t.Run(mode, func(t *testing.T) {
			s := open(t, Options{Seed: 1})
			first := mustCharge(t, s, request("order-1", "tok_visa"))
			again := mustCharge(t, s, request("order-1", "tok_visa"))
			if again != first {
				t.Errorf("replay = %+v, want %+v", again, first)
			}
			_, err1 := s.Charge(context.Background(), request("order-2", "tok_chargeDeclined"))
			_, err2 := s.Charge(context.Background(), request("order-2", "tok_chargeDeclined"))
			var d1, d2 *payment.DeclinedError
			if !errors.As(err1, &d1) || !errors.As(err2, &d2) || *d1 != *d2 {
				t.Errorf("decline replay = %v, %v, want the same decline twice", err1, err2)
			}
			if st := s.Stats(); st.Charges != 1 || st.Declines != 1 || st.Replays != 2 {
				t.Errorf("Stats = %+v, want 1 charge, 1 decline, 2 replays", st)
			}
		})
	}
}

func TestChargeRacingRetriesChargeOnce(t *testing.T) {
	for mode, open := range modes() {
		t.Run(mode, func(t *testing.T) {
			s := open(t, Options{Latency: 20 * time.Millisecond})
			const n = 50
			receipts := make([]payment.Receipt, n)
			errs := make([]error, n)
			var wg sync.WaitGroup
			for i := range n {
				wg.Go(func() { receipts[i], errs[i] = s.Charge(context.Background(), request("race", "tok_visa")) })
			}
			wg.Wait()
			for i := range n {
				if errs[i] != nil || receipts[i] != receipts[0] {
					t.Fatalf("call %d = %+v, %v, want %+v", i, receipts[i], errs[i], receipts[0])
				}
			}
			if st := s.Stats(); st.Charges != 1 || st.Replays != n-1 {
				t.Errorf("Stats = %+v, want 1 charge and %d replays", st, n-1)
			}
		})
	}
}

func TestFailureMovesNoMoneyAndFreesTheKey(t *testing.T) {
	for mode, open := range modes() {
		t.Run(mode, func(t *testing.T) {
			s := open(t, Options{Seed: 7, FailureRate: 1})
			ctx := context.Background()
			if _, err := s.Charge(ctx, request("k", "tok_visa")); !errors.Is(err, payment.ErrUnavailable) {
				t.Fatalf("err = %v, want ErrUnavailable", err)
			}
			if _, found, err := s.Lookup(ctx, "k"); found || err != nil {
				t.Fatalf("Lookup after failure = %v, %v, want not found", found, err)
			}
			s.SetFailureRate(0)
			r := mustCharge(t, s, request("k", "tok_visa"))
			got, found, err := s.Lookup(ctx, "k")
			if err != nil || !found || got != r {
				t.Errorf("Lookup = %+v, %v, %v, want %+v", got, found, err, r)
			}
			if st := s.Stats(); st.Charges != 1 || st.Failures != 1 {
				t.Errorf("Stats = %+v, want 1 charge and 1 failure", st)
			}
		})
	}
}

func TestDeclineRate(t *testing.T) {
	s := New(Options{Seed: 3, DeclineRate: 1})
	_, err := s.Charge(context.Background(), request("k", "tok_visa"))
	var d *payment.DeclinedError
	if !errors.As(err, &d) || d.Code != "card_declined" {
		t.Fatalf("err = %v, want card_declined", err)
	}

	// A share in between declines roughly that share.
	s = New(Options{Seed: 3})
	s.SetDeclineRate(0.3)
	declines := 0
	for i := range 1000 {
		if _, err := s.Charge(context.Background(), request(fmt.Sprint(i), "tok_visa")); err != nil {
			declines++
		}
	}
	if declines < 230 || declines > 370 {
		t.Errorf("%d of 1000 declined at rate 0.3", declines)
	}
}

func TestLatencyHonoursContext(t *testing.T) {
	for mode, open := range modes() {
		t.Run(mode, func(t *testing.T) {
			s := open(t, Options{Latency: time.Hour})
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
			defer cancel()
			start := time.Now()
			_, err := s.Charge(ctx, request("k", "tok_visa"))
			if !errors.Is(err, payment.ErrUnavailable) || !errors.Is(err, context.DeadlineExceeded) {
				t.Fatalf("err = %v, want ErrUnavailable and DeadlineExceeded", err)
			}
			if d := time.Since(start); d > time.Second {
				t.Errorf("Charge returned after %v, want soon after the deadline", d)
			}
			s.SetLatency(0)
			mustCharge(t, s, request("k", "tok_visa"))
		})
	}
}

// A caller waiting on a first call whose own context ended must not inherit
// that caller's cancellation: it charges itself.
func TestWaiterRetriesWhenFirstCallerGivesUp(t *testing.T) {
	s := New(Options{Latency: 100 * time.Millisecond})
	ctx, cancel := context.WithCancel(context.Background())
	leaderErr := make(chan error, 1)
	go func() {
		_, err := s.Charge(ctx, request("k", "tok_visa"))
		leaderErr <- err
	}()
	for inFlight := false; !inFlight; time.Sleep(time.Millisecond) {
		s.mu.Lock()
		_, inFlight = s.charges["k"]
		s.mu.Unlock()
	}
	waiter := make(chan error, 1)
	go func() {
		_, err := s.Charge(context.Background(), request("k", "tok_visa"))
		waiter <- err
	}()
	time.Sleep(10 * time.Millisecond) // let the waiter block on the first call
	cancel()
	if err := <-leaderErr; !errors.Is(err, context.Canceled) {
		t.Fatalf("first caller err = %v, want context.Canceled", err)
	}
	if err := <-waiter; err != nil {
		t.Fatalf("waiter err = %v, want a receipt", err)
	}
	if st := s.Stats(); st.Charges != 1 {
		t.Errorf("Stats = %+v, want 1 charge", st)
	}
}

func TestRefund(t *testing.T) {
	for mode, open := range modes() {
		t.Run(mode, func(t *testing.T) {
			s := open(t, Options{Seed: 1})
			ctx := context.Background()
			r := mustCharge(t, s, request("k", "tok_visa"))
			for range 3 {
				if err := s.Refund(ctx, r.ChargeID, "refund-1"); err != nil {
					t.Fatalf("Refund: %v", err)
				}
			}
			if err := s.Refund(ctx, r.ChargeID, "refund-2"); !errors.Is(err, ErrAlreadyRefunded) {
				t.Errorf("second key = %v, want ErrAlreadyRefunded", err)
			}
			if err := s.Refund(ctx, "ch_sim_nope", "refund-3"); !errors.Is(err, ErrUnknownCharge) {
				t.Errorf("unknown charge = %v, want ErrUnknownCharge", err)
			}
			if err := s.Refund(ctx, r.ChargeID, ""); !errors.Is(err, ErrInvalidRequest) {
				t.Errorf("empty key = %v, want ErrInvalidRequest", err)
			}
			s.SetFailureRate(1)
			if err := s.Refund(ctx, r.ChargeID, "refund-1"); !errors.Is(err, payment.ErrUnavailable) {
				t.Errorf("refund under outage = %v, want ErrUnavailable", err)
			}
			if st := s.Stats(); st.Refunds != 1 {
				t.Errorf("Stats = %+v, want 1 refund", st)
			}
		})
	}
}

func TestSeedRepeatsChargeIDs(t *testing.T) {
	for mode, open := range modes() {
		t.Run(mode, func(t *testing.T) {
			a, b := open(t, Options{Seed: 42}), open(t, Options{Seed: 42})
			for i := range 5 {
				req := request(fmt.Sprint(i), "tok_visa")
				if ra, rb := mustCharge(t, a, req), mustCharge(t, b, req); ra.ChargeID != rb.ChargeID {
					t.Fatalf("charge %d: %s != %s", i, ra.ChargeID, rb.ChargeID)
				}
			}
			if ra, rc := mustCharge(t, a, request("x", "tok_visa")), mustCharge(t, New(Options{}), request("x", "tok_visa")); ra.ChargeID == rc.ChargeID {
				t.Errorf("unseeded simulator repeated a seeded charge id %s", ra.ChargeID)
			}
		})
	}
}

// The knobs are turned from other goroutines while charges run; -race checks it.
func TestKnobsChangeWhileCharging(t *testing.T) {
	s := New(Options{})
	stop := make(chan struct{})
	var knobs sync.WaitGroup
	knobs.Go(func() {
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			s.SetLatency(time.Duration(i%3) * time.Microsecond)
			s.SetFailureRate(float64(i%2) / 4)
			s.SetDeclineRate(float64(i%3) / 4)
		}
	})
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 100 {
				_, _ = s.Charge(context.Background(), request(fmt.Sprint(g, "-", i%10), "tok_visa"))
				_, _, _ = s.Lookup(context.Background(), fmt.Sprint(g, "-", i%10))
			}
		})
	}
	wg.Wait()
	close(stop)
	knobs.Wait()
	st := s.Stats()
	if st.Charges+st.Declines > 80 {
		t.Errorf("Stats = %+v: more than one settled answer per key", st)
	}
}

func TestRatesAreClamped(t *testing.T) {
	s := New(Options{FailureRate: -1, DeclineRate: 7})
	_, err := s.Charge(context.Background(), request("k", "tok_visa"))
	var d *payment.DeclinedError
	if !errors.As(err, &d) {
		t.Errorf("err = %v, want a decline at a clamped rate of 1", err)
	}
}
