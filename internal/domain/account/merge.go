package account

import (
	"context"
	"fmt"

	"github.com/peakshop/peakshop/internal/domain/apperr"
	"github.com/peakshop/peakshop/internal/domain/cart"
)

// mergeCarts returns the cart the signed-in session should use. A shopper
// who filled a cart as a guest and then signs in expects to find those items
// in the account's cart, next to whatever was there before:
//
//   - no guest cart (or an empty or checked-out one): the account's cart;
//   - no usable account cart: the guest cart becomes the account's;
//   - both: the guest lines are added to the account cart, quantities summed
//     and capped at cart.MaxQuantity. A line the account cart cannot take
//     (SKU gone, cart full) is skipped rather than failing the sign-in.
func (s *Service) mergeCarts(ctx context.Context, c Customer, guestCartID string) (string, error) {
	guest, ok, err := s.openCart(ctx, guestCartID)
	if err != nil {
		return "", err
	}
	if !ok || len(guest.Items) == 0 {
		return c.CartID, nil
	}
	acct, accountOK, err := s.openCart(ctx, c.CartID)
	if err != nil {
		return "", err
	}
	if !accountOK {
		set, err := s.store.SetCustomerCart(ctx, c.ID, guest.ID, c.CartID)
		if err != nil {
			return "", fmt.Errorf("adopt guest cart: %w", err)
		}
		if set {
			return guest.ID, nil
		}
		// Another device changed the account's cart meanwhile: merge into
		// that one instead.
		now, _, err := s.store.CustomerByEmail(ctx, c.Email)
		if err != nil {
			return "", fmt.Errorf("reread customer: %w", err)
		}
		if acct, accountOK, err = s.openCart(ctx, now.CartID); err != nil || !accountOK {
			return guest.ID, err
		}
	}
	have := make(map[string]int, len(acct.Items))
	for _, it := range acct.Items {
		have[it.SKU] = it.Quantity
	}
	now := s.cfg.Now()
	for _, it := range guest.Items {
		q := min(have[it.SKU]+it.Quantity, cart.MaxQuantity)
		err := s.carts.SetQuantity(ctx, acct.ID, it.SKU, q, now)
		switch {
		case err == nil:
		case apperr.Is(err, apperr.NotFound), apperr.Is(err, apperr.Invalid):
			s.logger.InfoContext(ctx, "cart merge skipped a line", "sku", it.SKU, "err", err)
		default:
			return "", fmt.Errorf("merge guest cart: %w", err)
		}
	}
	return acct.ID, nil
}

// openCart reads a cart and reports whether it exists and is open.
func (s *Service) openCart(ctx context.Context, id string) (cart.Cart, bool, error) {
	if id == "" {
		return cart.Cart{}, false, nil
	}
	c, err := s.carts.Cart(ctx, id)
	if apperr.Is(err, apperr.NotFound) {
		return cart.Cart{}, false, nil
	}
	if err != nil {
		return cart.Cart{}, false, fmt.Errorf("read cart: %w", err)
	}
	return c, c.Status == cart.Open, nil
}
