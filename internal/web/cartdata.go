package web

import (
	"context"
	"fmt"
	"net/http"

	"github.com/peakshop/peakshop/internal/domain/apperr"
	"github.com/peakshop/peakshop/internal/domain/cart"
	"github.com/peakshop/peakshop/internal/domain/catalog"
	"github.com/peakshop/peakshop/internal/domain/money"
	"github.com/peakshop/peakshop/internal/platform/ids"
)

// cartLine is a cart line with what a shopper recognises it by.
type cartLine struct {
	cart.Item
	Name      string
	Variant   string
	Slug      string
	Image     string
	Available int
	Error     string
}

type cartData struct {
	ID      string
	Lines   []cartLine
	Total   money.Money
	Count   int
	Message string
	// Set by quote: the promotions and coupon that apply, what they take
	// off, and the amount checkout will charge. Coupon is the code asked
	// for, CouponError why it cannot be used.
	Subtotal    money.Money
	Discounts   []discountLine
	Discount    money.Money
	Payable     money.Money
	Coupon      string
	CouponError string
}

// openCart returns the visitor's cart if it is open, or an empty cart.
func (s *Server) openCart(ctx context.Context, v visitor) (cart.Cart, error) {
	if v.sess.CartID == "" {
		return cart.Cart{Total: money.Zero(s.Currency)}, nil
	}
	c, err := s.Carts.Cart(ctx, v.sess.CartID)
	if apperr.Is(err, apperr.NotFound) || err == nil && c.Status != cart.Open {
		return cart.Cart{Total: money.Zero(s.Currency)}, nil
	}
	return c, err
}

// cartFor returns the visitor's open cart, creating the session and the
// cart when there are none yet (or the old cart was checked out).
func (s *Server) cartFor(ctx context.Context, w http.ResponseWriter, r *http.Request, v *visitor) (cart.Cart, error) {
	if err := s.ensureSession(ctx, w, r, v); err != nil {
		return cart.Cart{}, err
	}
	c, err := s.openCart(ctx, *v)
	if err != nil || c.ID != "" {
		return c, err
	}
	now := s.Now()
	id := ids.New("cart", now)
	if err := s.Carts.CreateCart(ctx, id, now); err != nil {
		return cart.Cart{}, fmt.Errorf("create cart: %w", err)
	}
	sess, err := s.Accounts.SetCart(ctx, v.sess, id)
	if err != nil {
		return cart.Cart{}, err
	}
	v.sess = sess
	if sess.CartID != id {
		// Another tab made a cart first; use that one.
		return s.openCart(ctx, *v)
	}
	return cart.Cart{ID: id, Status: cart.Open, Items: []cart.Item{}, Total: money.Zero(s.Currency)}, nil
}

// describe adds names, pictures and stock to a cart's lines.
func (s *Server) describe(ctx context.Context, c cart.Cart) (cartData, error) {
	d := cartData{ID: c.ID, Total: c.Total}
	if len(c.Items) == 0 {
		return d, nil
	}
	skus := make([]string, len(c.Items))
	for i, it := range c.Items {
		skus[i] = it.SKU
	}
	ps, err := s.Catalog.ProductsBySKU(ctx, skus)
	if err != nil {
		return cartData{}, err
	}
	type found struct {
		p catalog.Product
		v catalog.Variant
	}
	bySKU := make(map[string]found, len(skus))
	for _, p := range ps {
		for _, v := range p.Variants {
			bySKU[v.SKU] = found{p, v}
		}
	}
	for _, it := range c.Items {
		l := cartLine{Item: it, Name: it.SKU}
		if f, ok := bySKU[it.SKU]; ok {
			l.Name, l.Variant, l.Slug, l.Available = f.p.Name, f.v.Name, f.p.Slug, f.v.Available
			if len(f.p.Images) > 0 {
				l.Image = f.p.Images[0]
			}
			if l.Variant == l.Name {
				l.Variant = ""
			}
		}
		if l.Quantity > l.Available {
			l.Error = stockNote(l.Available) + ": lower the quantity to check out"
		}
		d.Count += it.Quantity
		d.Lines = append(d.Lines, l)
	}
	return d, nil
}
