package sqlstore

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/peakshop/peakshop/internal/domain/apperr"
	"github.com/peakshop/peakshop/internal/domain/cart"
	"github.com/peakshop/peakshop/internal/domain/money"
	"github.com/peakshop/peakshop/internal/domain/order"
	"github.com/peakshop/peakshop/internal/domain/promo"
)

var _ promo.Store = (*Store)(nil)

// promoTTL bounds how long a promotion written by another instance takes to
// reach this one's snapshot; this instance's own writes are seen at once.
const promoTTL = 2 * time.Second

// promoSnapshot keeps the promotions that have not ended in memory, so a
// checkout or cart read with none active costs an atomic load, not a query.
// Its zero value is an empty, stale snapshot.
type promoSnapshot struct {
	mu  sync.Mutex // one reload at a time
	cur atomic.Pointer[promoSet]
	gen atomic.Uint64 // bumped by every local write
}

type promoSet struct {
	promos []promo.Promotion
	loaded time.Time
	gen    uint64
}

// activePromotions returns the promotions that may be active at now (the
// pricing function checks each window). It must not run inside a
// transaction: a reload reads on the read pool.
func (s *Store) activePromotions(ctx context.Context, now time.Time) ([]promo.Promotion, error) {
	if set := s.promos.cur.Load(); s.fresh(set, now) {
		return set.promos, nil
	}
	s.promos.mu.Lock()
	defer s.promos.mu.Unlock()
	if set := s.promos.cur.Load(); s.fresh(set, now) {
		return set.promos, nil
	}
	gen := s.promos.gen.Load()
	ps, err := s.Promotions(ctx, now)
	if err != nil {
		return nil, err
	}
	s.promos.cur.Store(&promoSet{promos: ps, loaded: now, gen: gen})
	return ps, nil
}

// fresh reports whether set may serve a request at now. A now slightly
// before the load (taken by a request that started earlier) counts as
// fresh: reloading for it would only make concurrent buyers queue.
func (s *Store) fresh(set *promoSet, now time.Time) bool {
	return set != nil && set.gen == s.promos.gen.Load() && now.Sub(set.loaded) < promoTTL
}

const promoCols = `id, name, kind, value, scope, target_id, starts_at, ends_at`

// CreatePromotion stores a validated promotion and returns it with its id.
func (s *Store) CreatePromotion(ctx context.Context, p promo.Promotion) (promo.Promotion, error) {
	if err := p.Validate(); err != nil {
		return promo.Promotion{}, err
	}
	err := runner{c: s.write}.queryRow(ctx, `INSERT INTO promotions (name, kind, value, scope, target_id, starts_at, ends_at, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`, p.Name, string(p.Kind), p.Value, string(p.Scope), p.TargetID,
		micros(p.StartsAt), endMicros(p.EndsAt), micros(s.now())).Scan(&p.ID)
	s.promos.gen.Add(1)
	if err != nil {
		return promo.Promotion{}, wrapf(err, "create promotion")
	}
	p.StartsAt, p.EndsAt = fromMicros(micros(p.StartsAt)), endTime(endMicros(p.EndsAt))
	return p, nil
}

// Promotions lists promotions that have not ended by now, by id.
func (s *Store) Promotions(ctx context.Context, now time.Time) ([]promo.Promotion, error) {
	rows, err := s.reader().query(ctx, `SELECT `+promoCols+` FROM promotions WHERE ends_at = 0 OR ends_at > $1 ORDER BY id`, micros(now))
	if err != nil {
		return nil, wrapf(err, "list promotions")
	}
	defer rows.Close()
	out := []promo.Promotion{}
	for rows.Next() {
		var (
			p           promo.Promotion
			kind, scope string
			start, end  int64
		)
		if err := rows.Scan(&p.ID, &p.Name, &kind, &p.Value, &scope, &p.TargetID, &start, &end); err != nil {
			return nil, wrapf(err, "list promotions")
		}
		p.Kind, p.Scope, p.StartsAt, p.EndsAt = promo.Kind(kind), promo.Scope(scope), fromMicros(start), endTime(end)
		out = append(out, p)
	}
	return out, wrapf(rows.Err(), "list promotions")
}

// DeletePromotion removes a promotion; orders keep what it took off them.
func (s *Store) DeletePromotion(ctx context.Context, id int64) error {
	n, err := runner{c: s.write}.affected(ctx, `DELETE FROM promotions WHERE id = $1`, id)
	s.promos.gen.Add(1)
	if err != nil {
		return wrapf(err, "delete promotion")
	}
	if n == 0 {
		return apperr.New(apperr.NotFound, "promotion not found")
	}
	return nil
}

// endMicros stores "never ends" as 0, which the queries read as open.
func endMicros(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return micros(t)
}

func endTime(us int64) time.Time {
	if us == 0 {
		return time.Time{}
	}
	return fromMicros(us)
}

// priceRefs reads the product and category of each cart line by SKU, for
// pricing. Only carts priced under a promotion or coupon pay for it.
func priceRefs(ctx context.Context, r runner, cartID string) (map[string]promo.Line, error) {
	rows, err := r.query(ctx, `SELECT i.sku, p.id, p.category_id FROM cart_items i JOIN variants v ON v.sku = i.sku
		JOIN products p ON p.id = v.product_id WHERE i.cart_id = $1`, cartID)
	if err != nil {
		return nil, fmt.Errorf("price refs: %w", err)
	}
	defer rows.Close()
	out := map[string]promo.Line{}
	for rows.Next() {
		var (
			sku string
			l   promo.Line
		)
		if err := rows.Scan(&sku, &l.ProductID, &l.CategoryID); err != nil {
			return nil, fmt.Errorf("price refs: %w", err)
		}
		out[sku] = l
	}
	return out, rows.Err()
}

// applyPromotions prices a checkout's lines (line totals already filled)
// under the active promotions and the requested coupon, claiming the coupon
// in the checkout's transaction. It sets each line's discount, lowers its
// total, and returns the order's whole discount. An unusable coupon is a
// 422 on field "coupon" that rolls the checkout back.
func (s *Store) applyPromotions(ctx context.Context, r runner, b order.Begin, lines []order.Line, promos []promo.Promotion, now int64) (int64, error) {
	refs, err := priceRefs(ctx, r, b.CartID)
	if err != nil {
		return 0, err
	}
	pl := make([]promo.Line, len(lines))
	for i, l := range lines {
		pl[i] = refs[l.SKU]
		pl[i].Quantity, pl[i].UnitPrice = l.Quantity, l.UnitPrice.Amount
	}
	var coupon *promo.Coupon
	if b.Coupon != "" {
		c, err := claimCoupon(ctx, r, b.Coupon, now)
		if err != nil {
			return 0, err
		}
		coupon = &c
	}
	p := promo.Apply(pl, promos, coupon, b.Now)
	if coupon != nil {
		if p.CouponDiscount == 0 {
			return 0, couponError("does not apply to anything in this cart")
		}
		if err := s.redeemCoupon(ctx, r, *coupon, promo.CustomerKey(b.CustomerID, b.Email), b.OrderID, now); err != nil {
			return 0, err
		}
	}
	for i, d := range p.Discounts {
		if d > 0 {
			lines[i].Discount = money.Money{Amount: d, Currency: lines[i].UnitPrice.Currency}
			lines[i].LineTotal.Amount -= d
		}
	}
	return p.Discount, nil
}

// discountCart shows a tallied open cart's active promotions, priced by the
// same function checkout uses.
func (s *Store) discountCart(ctx context.Context, c *cart.Cart) error {
	now := s.now()
	promos, err := s.activePromotions(ctx, now)
	if err != nil || len(promos) == 0 || len(c.Items) == 0 || c.Status != cart.Open {
		return err
	}
	refs, err := priceRefs(ctx, s.reader(), c.ID)
	if err != nil {
		return err
	}
	pl := make([]promo.Line, len(c.Items))
	for i, it := range c.Items {
		pl[i] = refs[it.SKU]
		pl[i].Quantity, pl[i].UnitPrice = it.Quantity, it.UnitPrice.Amount
	}
	p := promo.Apply(pl, promos, nil, now)
	if p.Discount == 0 {
		return nil
	}
	for i, d := range p.Discounts {
		it := &c.Items[i]
		if d > 0 {
			it.Discount = money.Money{Amount: d, Currency: it.LineTotal.Currency}
			it.DiscountedTotal = money.Money{Amount: it.LineTotal.Amount - d, Currency: it.LineTotal.Currency}
		}
	}
	c.Discount = money.Money{Amount: p.Discount, Currency: c.Total.Currency}
	c.DiscountedTotal = money.Money{Amount: c.Total.Amount - p.Discount, Currency: c.Total.Currency}
	return nil
}
