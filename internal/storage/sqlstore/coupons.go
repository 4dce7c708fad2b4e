package sqlstore

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/peakshop/peakshop/internal/domain/apperr"
	"github.com/peakshop/peakshop/internal/domain/promo"
)

// A coupon's caps hold the way stock does: the claim is one conditional
// UPDATE in the checkout's transaction (the row lock it takes also
// serialises the per-customer count on PostgreSQL), and the redemption row
// is numbered per customer under a primary key, so a second claim of the
// last slot fails instead of passing it.
const (
	sqlClaimCoupon = `UPDATE coupons SET used = used + 1
		WHERE code = $1 AND used < max_uses AND starts_at <= $2 AND (ends_at = 0 OR ends_at > $2)
		RETURNING kind, value, scope, target_id, max_per_customer`
	sqlRedeemCoupon = `INSERT INTO coupon_redemptions (code, customer_key, seq, order_id, created_at)
		SELECT CAST($1 AS TEXT), CAST($2 AS TEXT), COUNT(*) + 1, CAST($3 AS TEXT), CAST($4 AS BIGINT)
		FROM coupon_redemptions WHERE code = $1 AND customer_key = $2
		HAVING COUNT(*) < $5`
	sqlReleaseCoupon     = `UPDATE coupons SET used = used - 1 WHERE code = $1 AND used > 0`
	sqlReleaseRedemption = `DELETE FROM coupon_redemptions WHERE order_id = $1`
)

// couponError is the 422 a shopper gets for a coupon that cannot be used.
func couponError(reason string) error {
	return apperr.InvalidFields([]apperr.FieldError{{Field: "coupon", Reason: reason}})
}

// claimCoupon takes one use of the coupon at now, or says why it cannot.
func claimCoupon(ctx context.Context, r runner, code string, now int64) (promo.Coupon, error) {
	c := promo.Coupon{Code: code}
	var kind, scope string
	err := r.queryRow(ctx, sqlClaimCoupon, code, now).Scan(&kind, &c.Value, &scope, &c.TargetID, &c.MaxPerCustomer)
	if err == sql.ErrNoRows {
		return c, couponRefusal(ctx, r, code, now)
	}
	if err != nil {
		return c, fmt.Errorf("claim coupon: %w", err)
	}
	c.Kind, c.Scope = promo.Kind(kind), promo.Scope(scope)
	return c, nil
}

// couponRefusal explains a claim that changed nothing.
func couponRefusal(ctx context.Context, r runner, code string, now int64) error {
	var start, end int64
	err := r.queryRow(ctx, `SELECT starts_at, ends_at FROM coupons WHERE code = $1`, code).Scan(&start, &end)
	switch {
	case err == sql.ErrNoRows:
		return couponError("is not a coupon code we know")
	case err != nil:
		return fmt.Errorf("coupon state: %w", err)
	case now < start:
		return couponError("is not valid yet")
	case end != 0 && now >= end:
		return couponError("has expired")
	}
	return couponError("has been used up")
}

// redeemCoupon records the order's redemption against the customer's cap.
// A primary-key clash means a concurrent checkout of the same customer took
// the slot first: the same answer as a full count.
func (s *Store) redeemCoupon(ctx context.Context, r runner, c promo.Coupon, customerKey, orderID string, now int64) error {
	const full = "was already used as many times as one customer may use it"
	n, err := r.affected(ctx, sqlRedeemCoupon, c.Code, customerKey, orderID, now, c.MaxPerCustomer)
	switch {
	case err != nil && s.dialect.Classify(err) == ClassUnique:
		return couponError(full)
	case err != nil:
		return fmt.Errorf("redeem coupon: %w", err)
	case n == 0:
		return couponError(full)
	}
	return nil
}

// releaseCoupon gives an unpaid order's redemption back.
func releaseCoupon(ctx context.Context, r runner, code, orderID string) error {
	if _, err := r.exec(ctx, sqlReleaseCoupon, code); err != nil {
		return fmt.Errorf("release coupon: %w", err)
	}
	if _, err := r.exec(ctx, sqlReleaseRedemption, orderID); err != nil {
		return fmt.Errorf("release redemption: %w", err)
	}
	return nil
}

// releasePaidCoupon gives back the coupon use of a paid order being
// cancelled, so a coupon's cap counts only orders that stand. The use goes
// back only when this call deleted the order's redemption row: a retried or
// concurrent cancel finds no row and releases nothing, and so does an order
// that used no coupon. (The caller's conditional status UPDATE already
// admits one cancel; this keeps the release right on its own.)
func releasePaidCoupon(ctx context.Context, r runner, orderID string) error {
	var code string
	err := r.queryRow(ctx, `DELETE FROM coupon_redemptions WHERE order_id = $1 RETURNING code`, orderID).Scan(&code)
	if err == sql.ErrNoRows {
		return nil
	}
	if err != nil {
		return fmt.Errorf("release redemption: %w", err)
	}
	if _, err := r.exec(ctx, sqlReleaseCoupon, code); err != nil {
		return fmt.Errorf("release coupon: %w", err)
	}
	return nil
}

const couponCols = `code, kind, value, scope, target_id, starts_at, ends_at, max_uses, max_per_customer, used`

// CreateCoupon stores a validated coupon; a taken code is apperr Conflict.
func (s *Store) CreateCoupon(ctx context.Context, c promo.Coupon) (promo.Coupon, error) {
	if err := c.Validate(); err != nil {
		return promo.Coupon{}, err
	}
	_, err := runner{c: s.write}.exec(ctx, `INSERT INTO coupons (`+couponCols+`, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 0, $10)`, c.Code, string(c.Kind), c.Value, string(c.Scope), c.TargetID,
		micros(c.StartsAt), endMicros(c.EndsAt), c.MaxUses, c.MaxPerCustomer, micros(s.now()))
	if err != nil {
		return promo.Coupon{}, s.conflictOr(err, "code", "is taken", "create coupon")
	}
	c.StartsAt, c.EndsAt = fromMicros(micros(c.StartsAt)), endTime(endMicros(c.EndsAt))
	return c, nil
}

// Coupons lists every coupon by code, with how often each was used.
func (s *Store) Coupons(ctx context.Context) ([]promo.Coupon, error) {
	rows, err := s.reader().query(ctx, `SELECT `+couponCols+` FROM coupons ORDER BY code`)
	if err != nil {
		return nil, wrapf(err, "list coupons")
	}
	defer rows.Close()
	out := []promo.Coupon{}
	for rows.Next() {
		var (
			c           promo.Coupon
			kind, scope string
			start, end  int64
		)
		if err := rows.Scan(&c.Code, &kind, &c.Value, &scope, &c.TargetID, &start, &end, &c.MaxUses, &c.MaxPerCustomer, &c.Used); err != nil {
			return nil, wrapf(err, "list coupons")
		}
		c.Kind, c.Scope, c.StartsAt, c.EndsAt = promo.Kind(kind), promo.Scope(scope), fromMicros(start), endTime(end)
		out = append(out, c)
	}
	return out, wrapf(rows.Err(), "list coupons")
}

// DeleteCoupon removes a coupon and its redemptions, so the code may be
// issued again; orders keep what it took off them.
func (s *Store) DeleteCoupon(ctx context.Context, code string) error {
	err := s.inTx(ctx, "delete coupon", func(r runner) error {
		n, err := r.affected(ctx, `DELETE FROM coupons WHERE code = $1`, code)
		if err != nil {
			return fmt.Errorf("delete coupon: %w", err)
		}
		if n == 0 {
			return apperr.New(apperr.NotFound, "coupon not found")
		}
		_, err = r.exec(ctx, `DELETE FROM coupon_redemptions WHERE code = $1`, code)
		return err
	})
	return wrapf(err, "delete coupon")
}
