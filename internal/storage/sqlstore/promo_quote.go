package sqlstore

import (
	"context"
	"database/sql"
	"errors"

	"github.com/peakshop/peakshop/internal/domain/promo"
)

// QuoteCart prices an open cart under the active promotions and, if code is
// not empty, the coupon, with promo.Apply on the same inputs checkout uses
// (applyPromotions): what the pages show is what checkout will charge, if
// nothing changes meanwhile. Discounts holds one entry per cart line, in
// the order Cart returns them.
func (s *Store) QuoteCart(ctx context.Context, cartID, code string) (promo.Quote, error) {
	now := s.now()
	c, err := s.Cart(ctx, cartID)
	if err != nil {
		return promo.Quote{}, err
	}
	q := promo.Quote{Coupon: code}
	promos, err := s.activePromotions(ctx, now)
	if err != nil {
		return q, wrapf(err, "quote cart")
	}
	refs, err := priceRefs(ctx, s.reader(), cartID)
	if err != nil {
		return q, wrapf(err, "quote cart")
	}
	pl := make([]promo.Line, len(c.Items))
	for i, it := range c.Items {
		pl[i] = refs[it.SKU]
		pl[i].Quantity, pl[i].UnitPrice = it.Quantity, it.UnitPrice.Amount
	}
	var coupon *promo.Coupon
	if code != "" {
		cp, reason, err := s.peekCoupon(ctx, code, micros(now))
		if err != nil {
			return q, wrapf(err, "quote cart")
		}
		if reason != "" {
			q.CouponError = reason
		} else {
			coupon = &cp
		}
	}
	q.Priced = promo.Apply(pl, promos, coupon, now)
	if coupon != nil && q.CouponDiscount == 0 {
		q.CouponError = "does not apply to anything in this cart"
		q.Priced = promo.Apply(pl, promos, nil, now)
	}
	return q, nil
}

// peekCoupon reads a coupon the way claimCoupon would take it, without
// taking it: the reason is the one a checkout would give for refusing it.
func (s *Store) peekCoupon(ctx context.Context, code string, now int64) (promo.Coupon, string, error) {
	c := promo.Coupon{Code: code}
	var kind, scope string
	var start, end int64
	err := s.reader().queryRow(ctx, `SELECT kind, value, scope, target_id, starts_at, ends_at, max_uses, used, max_per_customer
		FROM coupons WHERE code = $1`, code).Scan(&kind, &c.Value, &scope, &c.TargetID, &start, &end, &c.MaxUses, &c.Used, &c.MaxPerCustomer)
	if errors.Is(err, sql.ErrNoRows) {
		return c, "is not a coupon code we know", nil
	}
	if err != nil {
		return c, "", err
	}
	c.Kind, c.Scope = promo.Kind(kind), promo.Scope(scope)
	// The same words couponRefusal uses at checkout.
	switch {
	case now < start:
		return c, "is not valid yet", nil
	case end != 0 && now >= end:
		return c, "has expired", nil
	case c.Used >= c.MaxUses:
		return c, "has been used up", nil
	}
	return c, "", nil
}
