package simulator

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"time"

	_ "modernc.org/sqlite" // the ledger's driver: pure Go, as the shop's embedded store

	"github.com/peakshop/peakshop/internal/domain/money"
	"github.com/peakshop/peakshop/internal/domain/payment"
)

// The ledger's two tables. The primary keys carry the idempotency promise
// across processes: whichever process inserts a key first decides the
// charge, and a charge id can be refunded by one row only.
const ledgerSchema = `
CREATE TABLE IF NOT EXISTS sim_charges (
	idempotency_key TEXT PRIMARY KEY,
	order_id        TEXT NOT NULL,
	amount          INTEGER NOT NULL,
	currency        TEXT NOT NULL,
	token           TEXT NOT NULL,
	charge_id       TEXT UNIQUE,               -- NULL for a decline
	decline_code    TEXT NOT NULL DEFAULT '',  -- '' for a capture
	created_at      INTEGER NOT NULL           -- unix milliseconds
);
CREATE INDEX IF NOT EXISTS sim_charges_order ON sim_charges (order_id);
CREATE TABLE IF NOT EXISTS sim_refunds (
	idempotency_key TEXT PRIMARY KEY,
	charge_id       TEXT NOT NULL UNIQUE,
	created_at      INTEGER NOT NULL
);`

// ledger is the simulator's durable memory: an SQLite file of its own,
// shared by every process that names it.
type ledger struct {
	db *sql.DB
}

// ledgerBusyTimeout is how long a call waits for another process's write.
const ledgerBusyTimeout = 10 * time.Second

func openLedger(ctx context.Context, path string) (*ledger, error) {
	// The default lives under the data folder, which a worker on
	// PostgreSQL may not have made yet.
	if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
		return nil, fmt.Errorf("simulator: ledger: %w", err)
	}
	q := url.Values{}
	q.Add("_pragma", fmt.Sprintf("busy_timeout(%d)", ledgerBusyTimeout.Milliseconds()))
	q.Add("_pragma", "journal_mode(WAL)")
	// NORMAL loses nothing when a process is killed (the WAL is in the OS's
	// hands); only a power cut could, and a simulator need not survive one.
	q.Add("_pragma", "synchronous(NORMAL)")
	// BEGIN IMMEDIATE: a transaction takes the write lock at its start, so
	// check-then-insert is serialised across processes and never fails
	// half-way upgrading a read lock.
	q.Set("_txlock", "immediate")
	db, err := sql.Open("sqlite", "file:"+path+"?"+q.Encode())
	if err != nil {
		return nil, fmt.Errorf("simulator: ledger %s: %w", path, err)
	}
	// One connection: this process's calls queue in Go, which is cheap,
	// rather than in SQLite's busy handler, which sleeps; other processes'
	// writes are waited for by busy_timeout.
	db.SetMaxOpenConns(1)
	if _, err := db.ExecContext(ctx, ledgerSchema); err != nil {
		db.Close()
		return nil, fmt.Errorf("simulator: ledger %s: %w", path, err)
	}
	return &ledger{db: db}, nil
}

// record is one row of sim_charges.
type record struct {
	key, orderID, token string
	amount              money.Money
	chargeID            string // "" for a decline
	declineCode         string // "" for a capture
}

func (r record) answer() (payment.Receipt, error) {
	if r.declineCode != "" {
		return payment.Receipt{}, decline(r.declineCode)
	}
	return payment.Receipt{ChargeID: r.chargeID, Amount: r.amount}, nil
}

type querier interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

func findCharge(ctx context.Context, q querier, key string) (record, bool, error) {
	r := record{key: key}
	var chargeID sql.NullString
	err := q.QueryRowContext(ctx, `SELECT order_id, amount, currency, token, charge_id, decline_code
		FROM sim_charges WHERE idempotency_key = ?`, key).
		Scan(&r.orderID, &r.amount.Amount, &r.amount.Currency, &r.token, &chargeID, &r.declineCode)
	if errors.Is(err, sql.ErrNoRows) {
		return record{}, false, nil
	}
	if err != nil {
		return record{}, false, fmt.Errorf("%w: ledger: %w", payment.ErrUnavailable, err)
	}
	r.chargeID = chargeID.String
	return r, true, nil
}

// insertCharge records r unless its key is taken, and returns the row that
// holds the key afterwards: r when this call won, the earlier one when not.
func (l *ledger) insertCharge(ctx context.Context, r record, now time.Time) (won bool, stored record, err error) {
	tx, err := l.db.BeginTx(ctx, nil)
	if err != nil {
		return false, record{}, fmt.Errorf("%w: ledger: %w", payment.ErrUnavailable, err)
	}
	defer tx.Rollback() //nolint:errcheck // a no-op after Commit
	var chargeID any
	if r.chargeID != "" {
		chargeID = r.chargeID
	}
	res, err := tx.ExecContext(ctx, `INSERT INTO sim_charges
		(idempotency_key, order_id, amount, currency, token, charge_id, decline_code, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (idempotency_key) DO NOTHING`,
		r.key, r.orderID, r.amount.Amount, r.amount.Currency, r.token, chargeID, r.declineCode, now.UnixMilli())
	if err != nil {
		return false, record{}, fmt.Errorf("%w: ledger: %w", payment.ErrUnavailable, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, record{}, fmt.Errorf("%w: ledger: %w", payment.ErrUnavailable, err)
	}
	stored, found, err := findCharge(ctx, tx, r.key)
	if err == nil && !found {
		err = fmt.Errorf("%w: ledger: key %q vanished", payment.ErrUnavailable, r.key)
	}
	if err != nil {
		return false, record{}, err
	}
	if err := tx.Commit(); err != nil {
		return false, record{}, fmt.Errorf("%w: ledger: %w", payment.ErrUnavailable, err)
	}
	return n == 1, stored, nil
}

// refund records a refund of chargeID under key, in one transaction. It
// answers nil when this key already refunded this charge.
func (l *ledger) refund(ctx context.Context, chargeID, key string, now time.Time) (refunded bool, err error) {
	tx, err := l.db.BeginTx(ctx, nil)
	if err != nil {
		return false, fmt.Errorf("%w: ledger: %w", payment.ErrUnavailable, err)
	}
	defer tx.Rollback() //nolint:errcheck // a no-op after Commit
	var prev string
	switch err := tx.QueryRowContext(ctx, `SELECT charge_id FROM sim_refunds WHERE idempotency_key = ?`, key).Scan(&prev); {
	case err == nil && prev == chargeID:
		return false, nil
	case err == nil:
		return false, fmt.Errorf("%w: refund key %q was used for charge %s", ErrInvalidRequest, key, prev)
	case !errors.Is(err, sql.ErrNoRows):
		return false, fmt.Errorf("%w: ledger: %w", payment.ErrUnavailable, err)
	}
	var one int
	switch err := tx.QueryRowContext(ctx, `SELECT 1 FROM sim_charges WHERE charge_id = ?`, chargeID).Scan(&one); {
	case errors.Is(err, sql.ErrNoRows):
		return false, fmt.Errorf("%w: %s", ErrUnknownCharge, chargeID)
	case err != nil:
		return false, fmt.Errorf("%w: ledger: %w", payment.ErrUnavailable, err)
	}
	// The unique charge_id turns a second key for the same charge into no
	// row, even if the transaction above were not serialised.
	res, err := tx.ExecContext(ctx, `INSERT INTO sim_refunds (idempotency_key, charge_id, created_at) VALUES (?, ?, ?)
		ON CONFLICT DO NOTHING`, key, chargeID, now.UnixMilli())
	if err != nil {
		return false, fmt.Errorf("%w: ledger: %w", payment.ErrUnavailable, err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return false, fmt.Errorf("%w: ledger: %w", payment.ErrUnavailable, err)
	} else if n == 0 {
		return false, fmt.Errorf("%w: %s", ErrAlreadyRefunded, chargeID)
	}
	if err := tx.Commit(); err != nil {
		return false, fmt.Errorf("%w: ledger: %w", payment.ErrUnavailable, err)
	}
	return true, nil
}

func (l *ledger) close() error { return l.db.Close() }
