package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"time"

	"github.com/peakshop/peakshop/internal/domain/apperr"
	"github.com/peakshop/peakshop/internal/domain/catalog"
	"github.com/peakshop/peakshop/internal/domain/money"
)

// The Store keeps the sale scheduler's changes.
var _ catalog.Schedule = (*Store)(nil)

// Exactly once, with any number of instances: ApplyDue picks a due pending
// row and flips it to applied with "WHERE status = 'pending'" in the same
// transaction that changes the prices (or publishes) and writes the
// product.changed event. Two instances racing for one row cannot both
// commit: on PostgreSQL the second UPDATE waits for the first's row lock and
// then, re-reading the committed row, matches nothing; the pick also says
// FOR UPDATE SKIP LOCKED there, so a second instance moves on to another
// due row instead of waiting. SQLite has one writer, so the transactions
// run one after the other and the second finds the row applied.

const scheduleCols = `s.id, s.kind, s.product_id, COALESCE(p.name, ''), s.sku, s.price_amount, s.due_at, s.revert_at,
	s.parent_id, s.status, s.outcome, s.created_by, s.created_at, s.settled_at`

// ScheduleChange validates and stores a pending change. The product must
// exist (drafts too: launching one is the point) and a price change's SKU
// must be one of its variants.
func (s *Store) ScheduleChange(ctx context.Context, d catalog.ChangeDraft) (catalog.ScheduledChange, error) {
	if err := d.Validate(s.currency, s.now()); err != nil {
		return catalog.ScheduledChange{}, err
	}
	var id int64
	err := s.inTx(ctx, "schedule change", func(r runner) error {
		var n int
		q, args := `SELECT COUNT(*) FROM products WHERE id = $1`, []any{d.ProductID}
		if d.SKU != "" {
			q, args = `SELECT COUNT(*) FROM variants WHERE product_id = $1 AND sku = $2`, []any{d.ProductID, d.SKU}
		}
		if err := r.queryRow(ctx, q, args...).Scan(&n); err != nil {
			return err
		}
		if n == 0 && d.SKU != "" {
			return apperr.InvalidFields([]apperr.FieldError{{Field: "sku", Reason: "is not a SKU of this product"}})
		}
		if n == 0 {
			return apperr.InvalidFields([]apperr.FieldError{{Field: "product", Reason: "no product has this id"}})
		}
		var revert int64
		if !d.RevertAt.IsZero() {
			revert = micros(d.RevertAt)
		}
		return r.queryRow(ctx, `INSERT INTO scheduled_changes (kind, product_id, sku, price_amount, revert_at, due_at, created_by, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`, string(d.Kind), d.ProductID, d.SKU, d.Price.Amount,
			revert, micros(d.DueAt), d.CreatedBy, micros(s.now())).Scan(&id)
	})
	if err != nil {
		return catalog.ScheduledChange{}, wrapf(err, "schedule change")
	}
	return s.scheduledChange(ctx, s.reader(), id)
}

// ScheduledChanges lists up to limit changes in the status.
func (s *Store) ScheduledChanges(ctx context.Context, status catalog.ChangeStatus, limit int) ([]catalog.ScheduledChange, error) {
	order := "s.due_at, s.id"
	if status != catalog.ChangePending {
		order = "s.settled_at DESC, s.id DESC"
	}
	rows, err := s.reader().query(ctx, `SELECT `+scheduleCols+` FROM scheduled_changes s LEFT JOIN products p ON p.id = s.product_id
		WHERE s.status = $1 ORDER BY `+order+` LIMIT $2`, string(status), limit)
	if err != nil {
		return nil, wrapf(err, "scheduled changes")
	}
	defer rows.Close()
	out := []catalog.ScheduledChange{}
	for rows.Next() {
		c, err := s.scanChange(rows)
		if err != nil {
			return nil, wrapf(err, "scheduled changes")
		}
		out = append(out, c)
	}
	return out, wrapf(rows.Err(), "scheduled changes")
}

// CancelChange cancels a pending change.
func (s *Store) CancelChange(ctx context.Context, id int64, now time.Time) error {
	err := s.inTx(ctx, "cancel change", func(r runner) error {
		n, err := r.affected(ctx, `UPDATE scheduled_changes SET status = 'cancelled', settled_at = $2, outcome = 'cancelled by an admin'
			WHERE id = $1 AND status = 'pending'`, id, micros(now))
		if err != nil || n == 1 {
			return err
		}
		var st string
		switch err := r.queryRow(ctx, `SELECT status FROM scheduled_changes WHERE id = $1`, id).Scan(&st); {
		case errors.Is(err, sql.ErrNoRows):
			return apperr.New(apperr.NotFound, "no such scheduled change")
		case err != nil:
			return err
		}
		return apperr.Errorf(apperr.Conflict, "the change is already %s", st)
	})
	return wrapf(err, "cancel change")
}

// ApplyDue applies the oldest change due at now, if any; see the comment
// at the top of this file for why each is applied once.
func (s *Store) ApplyDue(ctx context.Context, now time.Time) (catalog.ScheduledChange, bool, error) {
	pick := `SELECT id FROM scheduled_changes WHERE status = 'pending' AND due_at <= $1 ORDER BY due_at, id LIMIT 1`
	if s.dialect.Name == "postgres" {
		pick += ` FOR UPDATE SKIP LOCKED`
	}
	var id int64
	err := s.inTx(ctx, "apply scheduled change", func(r runner) error {
		id = 0
		err := r.queryRow(ctx, pick, micros(now)).Scan(&id)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		if err != nil {
			return err
		}
		c, err := s.scheduledChange(ctx, r, id)
		if err != nil {
			return err
		}
		n, err := r.affected(ctx, `UPDATE scheduled_changes SET status = 'applied', settled_at = $2 WHERE id = $1 AND status = 'pending'`,
			id, micros(now))
		if err != nil {
			return err
		}
		if n == 0 {
			id = 0 // another instance got there first
			return nil
		}
		outcome, failed, err := s.applyChange(ctx, r, c, now)
		if err != nil {
			return err
		}
		status := catalog.ChangeApplied
		if failed {
			status = catalog.ChangeFailed
		}
		_, err = r.exec(ctx, `UPDATE scheduled_changes SET status = $2, outcome = $3 WHERE id = $1`, id, string(status), outcome)
		return err
	})
	if err != nil || id == 0 {
		return catalog.ScheduledChange{}, false, wrapf(err, "apply scheduled change")
	}
	c, err := s.scheduledChange(ctx, runner{c: s.write}, id)
	return c, err == nil, err
}

// applyChange does what c says, inside the claiming transaction. A change
// that can no longer apply (its product or SKU is gone) fails with the
// reason instead of erring, so it is not retried forever.
func (s *Store) applyChange(ctx context.Context, r runner, c catalog.ScheduledChange, now time.Time) (outcome string, failed bool, err error) {
	at := micros(now)
	switch c.Kind {
	case catalog.ChangeLaunch:
		n, err := r.affected(ctx, `UPDATE products SET published = TRUE, updated_at = $2 WHERE id = $1`, c.ProductID, at)
		if err != nil || n == 0 {
			return "the product no longer exists", true, err
		}
		return "published", false, s.productChanged(ctx, r, c.ProductID, "published")
	case catalog.ChangePrice:
		old, err := variantPrices(ctx, r, c.ProductID, c.SKU)
		if err != nil || len(old) == 0 {
			return "the product or SKU no longer exists", true, err
		}
		n, err := r.affected(ctx, `UPDATE variants SET price_amount = $3 WHERE product_id = $1 AND (sku = $2 OR $2 = '')`,
			c.ProductID, c.SKU, c.Price.Amount)
		if err != nil {
			return "", false, err
		}
		if !c.RevertAt.IsZero() {
			b, err := json.Marshal(old)
			if err != nil {
				return "", false, err
			}
			if _, err := r.exec(ctx, `INSERT INTO scheduled_changes (kind, product_id, sku, prices, parent_id, due_at, created_by, created_at)
				VALUES ('revert', $1, $2, $3, $4, $5, $6, $7)`, c.ProductID, c.SKU, string(b), c.ID, micros(c.RevertAt), c.CreatedBy, at); err != nil {
				return "", false, fmt.Errorf("schedule revert: %w", err)
			}
		}
		if err := touchProduct(ctx, r, c.ProductID, at); err != nil {
			return "", false, err
		}
		return fmt.Sprintf("price set on %d SKU(s)", n), false, s.productChanged(ctx, r, c.ProductID, "price")
	case catalog.ChangeRevert:
		var prices map[string]int64
		var raw string
		if err := r.queryRow(ctx, `SELECT prices FROM scheduled_changes WHERE id = $1`, c.ID).Scan(&raw); err != nil {
			return "", false, err
		}
		if err := json.Unmarshal([]byte(raw), &prices); err != nil {
			return "", false, fmt.Errorf("revert %d prices: %w", c.ID, err)
		}
		restored := 0
		for _, sku := range slices.Sorted(maps.Keys(prices)) {
			n, err := r.affected(ctx, `UPDATE variants SET price_amount = $3 WHERE product_id = $1 AND sku = $2`, c.ProductID, sku, prices[sku])
			if err != nil {
				return "", false, err
			}
			restored += int(n)
		}
		if restored == 0 {
			return "the product or its SKUs no longer exist", true, nil
		}
		if err := touchProduct(ctx, r, c.ProductID, at); err != nil {
			return "", false, err
		}
		return fmt.Sprintf("price restored on %d SKU(s)", restored), false, s.productChanged(ctx, r, c.ProductID, "price")
	}
	return "unknown kind " + strconv.Quote(string(c.Kind)), true, nil
}

// variantPrices reads the current prices of a product's variants (or one).
func variantPrices(ctx context.Context, r runner, productID int64, sku string) (map[string]int64, error) {
	rows, err := r.query(ctx, `SELECT sku, price_amount FROM variants WHERE product_id = $1 AND (sku = $2 OR $2 = '') ORDER BY sku`, productID, sku)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]int64{}
	for rows.Next() {
		var (
			k string
			v int64
		)
		if err := rows.Scan(&k, &v); err != nil {
			return nil, err
		}
		out[k] = v
	}
	return out, rows.Err()
}

func touchProduct(ctx context.Context, r runner, id, at int64) error {
	_, err := r.exec(ctx, `UPDATE products SET updated_at = $2 WHERE id = $1`, id, at)
	return err
}

func (s *Store) scheduledChange(ctx context.Context, r runner, id int64) (catalog.ScheduledChange, error) {
	rows, err := r.query(ctx, `SELECT `+scheduleCols+` FROM scheduled_changes s LEFT JOIN products p ON p.id = s.product_id WHERE s.id = $1`, id)
	if err != nil {
		return catalog.ScheduledChange{}, wrapf(err, "scheduled change")
	}
	defer rows.Close()
	if !rows.Next() {
		if err := rows.Err(); err != nil {
			return catalog.ScheduledChange{}, wrapf(err, "scheduled change")
		}
		return catalog.ScheduledChange{}, apperr.New(apperr.NotFound, "no such scheduled change")
	}
	c, err := s.scanChange(rows)
	return c, wrapf(err, "scheduled change")
}

func (s *Store) scanChange(rows *sql.Rows) (catalog.ScheduledChange, error) {
	var (
		c                               catalog.ScheduledChange
		kind, status                    string
		amount                          int64
		due, revert, created, settledAt int64
	)
	if err := rows.Scan(&c.ID, &kind, &c.ProductID, &c.ProductName, &c.SKU, &amount, &due, &revert,
		&c.ParentID, &status, &c.Outcome, &c.CreatedBy, &created, &settledAt); err != nil {
		return c, err
	}
	c.Kind, c.Status = catalog.ChangeKind(kind), catalog.ChangeStatus(status)
	if c.Kind == catalog.ChangePrice {
		c.Price = money.Money{Amount: amount, Currency: s.currency}
	}
	c.DueAt, c.CreatedAt = fromMicros(due), fromMicros(created)
	if revert != 0 {
		c.RevertAt = fromMicros(revert)
	}
	if settledAt != 0 {
		c.SettledAt = fromMicros(settledAt)
	}
	return c, nil
}
