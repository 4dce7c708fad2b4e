package simulator

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/peakshop/peakshop/internal/domain/money"
	"github.com/peakshop/peakshop/internal/domain/payment"
)

func ledgerPath(tb testing.TB) string { return filepath.Join(tb.TempDir(), "payments-sim.db") }

// A restarted process finds every key, charge and refund where the last
// one left them.
func TestLedgerSurvivesRestart(t *testing.T) {
	path := ledgerPath(t)
	ctx := context.Background()
	first, err := Open(ctx, Options{LedgerPath: path})
	if err != nil {
		t.Fatal(err)
	}
	paid := mustCharge(t, first, request("paid", "tok_visa"))
	if _, err := first.Charge(ctx, request("declined", "tok_chargeDeclinedExpiredCard")); err == nil {
		t.Fatal("expired card charged")
	}
	refunded := mustCharge(t, first, request("refunded", "tok_visa"))
	if err := first.Refund(ctx, refunded.ChargeID, "refunded:refund"); err != nil {
		t.Fatal(err)
	}
	if err := first.Close(); err != nil {
		t.Fatal(err)
	}

	again := mustOpen(t, Options{LedgerPath: path})
	if r := mustCharge(t, again, request("paid", "tok_visa")); r != paid {
		t.Errorf("replay after restart = %+v, want %+v", r, paid)
	}
	var d *payment.DeclinedError
	if _, err := again.Charge(ctx, request("declined", "tok_chargeDeclinedExpiredCard")); !errors.As(err, &d) || d.Code != "expired_card" {
		t.Errorf("declined replay after restart = %v, want expired_card", err)
	}
	if r, found, err := again.Lookup(ctx, "paid"); err != nil || !found || r != paid {
		t.Errorf("Lookup after restart = %+v, %v, %v", r, found, err)
	}
	if _, found, err := again.Lookup(ctx, "declined"); err != nil || found {
		t.Errorf("Lookup of a decline = %v, %v, want not found", found, err)
	}
	if _, err := again.Charge(ctx, request("paid", "tok_mastercard")); !errors.Is(err, ErrInvalidRequest) {
		t.Errorf("key reused with another card after restart = %v, want ErrInvalidRequest", err)
	}
	if err := again.Refund(ctx, refunded.ChargeID, "refunded:refund"); err != nil {
		t.Errorf("refund replay after restart = %v", err)
	}
	if err := again.Refund(ctx, refunded.ChargeID, "other"); !errors.Is(err, ErrAlreadyRefunded) {
		t.Errorf("second refund key after restart = %v, want ErrAlreadyRefunded", err)
	}
	if err := again.Refund(ctx, "ch_sim_nope", "k"); !errors.Is(err, ErrUnknownCharge) {
		t.Errorf("unknown charge = %v, want ErrUnknownCharge", err)
	}
	if st := again.Stats(); st.Charges != 0 || st.Refunds != 0 || st.Replays != 2 {
		t.Errorf("Stats = %+v, want only 2 replays in the new process", st)
	}
}

// Two Simulators on one ledger stand for two processes (each has its own
// pool and its own in-memory state); racing the same keys, each key is
// charged once between them and both get the same receipt.
func TestLedgerSharedByTwoSimulatorsChargesOnce(t *testing.T) {
	path := ledgerPath(t)
	sims := []*Simulator{mustOpen(t, Options{LedgerPath: path, Latency: 5 * time.Millisecond}), mustOpen(t, Options{LedgerPath: path, Latency: 5 * time.Millisecond})}
	const keys, callers = 20, 8
	receipts := make([][]payment.Receipt, keys)
	var wg sync.WaitGroup
	for k := range keys {
		receipts[k] = make([]payment.Receipt, callers)
		for c := range callers {
			wg.Go(func() {
				r, err := sims[c%2].Charge(context.Background(), request(fmt.Sprint("race-", k), "tok_visa"))
				if err != nil {
					t.Errorf("key %d caller %d: %v", k, c, err)
				}
				receipts[k][c] = r
			})
		}
	}
	wg.Wait()
	for k := range keys {
		for c := range callers {
			if receipts[k][c] != receipts[k][0] {
				t.Errorf("key %d: caller %d got %+v, caller 0 %+v", k, c, receipts[k][c], receipts[k][0])
			}
		}
	}
	a, b := sims[0].Stats(), sims[1].Stats()
	if a.Charges+b.Charges != keys || a.Replays+b.Replays != keys*(callers-1) {
		t.Errorf("stats %+v and %+v: want %d charges and %d replays between them", a, b, keys, keys*(callers-1))
	}
	audit, err := AuditLedger(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	if audit.Charges != keys || len(audit.ChargedTwice) != 0 || len(audit.Orders) != keys {
		t.Errorf("audit = %+v, want %d orders charged once", audit, keys)
	}
}

// ledgerChildEnv makes the test binary a child that charges keys on the
// ledger it names; see TestLedgerAcrossProcesses.
const ledgerChildEnv = "PEAKSHOP_SIM_LEDGER_CHILD"

// Real processes racing the same keys on one file: every key is captured by
// exactly one of them, and the audit agrees with what they report.
func TestLedgerAcrossProcesses(t *testing.T) {
	if path := os.Getenv(ledgerChildEnv); path != "" {
		ledgerChild(t, path)
		return
	}
	if testing.Short() {
		t.Skip("starts processes")
	}
	path := ledgerPath(t)
	mustOpen(t, Options{LedgerPath: path}) // the schema, before the children race for it
	const procs, keys = 4, 60
	outs := make([][]byte, procs)
	errs := make([]error, procs)
	var wg sync.WaitGroup
	for i := range procs {
		wg.Go(func() {
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
			defer cancel()
			cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^TestLedgerAcrossProcesses$")
			cmd.Env = append(os.Environ(), ledgerChildEnv+"="+path, "PEAKSHOP_SIM_KEYS="+strconv.Itoa(keys))
			outs[i], errs[i] = cmd.CombinedOutput()
		})
	}
	wg.Wait()
	won := 0
	for i := range procs {
		if errs[i] != nil {
			t.Fatalf("child %d: %v\n%s", i, errs[i], outs[i])
		}
		var n int
		if _, err := fmt.Sscanf(string(outs[i][strings.Index(string(outs[i]), "charged=")+len("charged="):]), "%d", &n); err != nil {
			t.Fatalf("child %d output: %s", i, outs[i])
		}
		won += n
	}
	audit, err := AuditLedger(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	if won != keys || audit.Charges != keys || len(audit.ChargedTwice) != 0 {
		t.Errorf("children captured %d, audit %d charges (twice: %v); want %d", won, audit.Charges, audit.ChargedTwice, keys)
	}
}

func ledgerChild(t *testing.T, path string) {
	keys, _ := strconv.Atoi(os.Getenv("PEAKSHOP_SIM_KEYS"))
	s := mustOpen(t, Options{LedgerPath: path, Latency: time.Millisecond})
	var wg sync.WaitGroup
	for k := range keys {
		wg.Go(func() {
			if _, err := s.Charge(context.Background(), request(fmt.Sprint("proc-", k), "tok_visa")); err != nil {
				t.Errorf("key %d: %v", k, err)
			}
		})
	}
	wg.Wait()
	fmt.Printf("charged=%d\n", s.Stats().Charges)
}

// The audit counts per order, whatever the keys: an order charged under two
// keys (a shop bug no idempotency key can catch) is listed.
func TestAuditLedger(t *testing.T) {
	path := ledgerPath(t)
	s := mustOpen(t, Options{LedgerPath: path})
	ctx := context.Background()
	charge := func(key, orderID, token string) (payment.Receipt, error) {
		return s.Charge(ctx, payment.ChargeRequest{IdempotencyKey: key, OrderID: orderID, Amount: money.Money{Amount: 500, Currency: "USD"}, Token: token})
	}
	once, err := charge("o1:charge", "o1", "tok_visa")
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Refund(ctx, once.ChargeID, "o1:refund"); err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{"o2:charge", "o2:charge-again"} {
		if _, err := charge(key, "o2", "tok_visa"); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := charge("o3:charge", "o3", "tok_chargeDeclined"); err == nil {
		t.Fatal("declined token charged")
	}
	a, err := AuditLedger(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]OrderMoney{"o1": {Charges: 1, Refunds: 1}, "o2": {Charges: 2}, "o3": {Declines: 1}}
	for id, w := range want {
		if a.Orders[id] != w {
			t.Errorf("order %s = %+v, want %+v", id, a.Orders[id], w)
		}
	}
	if len(a.Orders) != len(want) || a.Charges != 3 || a.Refunds != 1 || a.Declines != 1 {
		t.Errorf("audit = %+v", a)
	}
	if len(a.ChargedTwice) != 1 || a.ChargedTwice[0] != "o2" {
		t.Errorf("ChargedTwice = %v, want [o2]", a.ChargedTwice)
	}
	if a.Orders["o1"].Kept() || !a.Orders["o2"].Kept() {
		t.Errorf("Kept: o1 %v (refunded), o2 %v", a.Orders["o1"].Kept(), a.Orders["o2"].Kept())
	}
	if _, err := AuditLedger(ctx, filepath.Join(t.TempDir(), "none.db")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("audit of a missing ledger = %v, want ErrNotExist", err)
	}
}

func TestNewRefusesALedger(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("New with a LedgerPath did not panic")
		}
	}()
	New(Options{LedgerPath: "x.db"})
}
