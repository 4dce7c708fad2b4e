package web

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/peakshop/peakshop/internal/domain/account"
	"github.com/peakshop/peakshop/internal/domain/cart"
	"github.com/peakshop/peakshop/internal/domain/catalog"
	"github.com/peakshop/peakshop/internal/domain/order"
)

// Catalog is the catalog as the storefront reads it: the domain port plus
// one read the cart page needs, the products that hold given SKUs (a cart
// knows SKUs, a shopper wants names and pictures).
type Catalog interface {
	ListProducts(ctx context.Context, q catalog.ListQuery) ([]catalog.Product, error)
	ProductBySlug(ctx context.Context, slug string) (catalog.Product, error)
	Categories(ctx context.Context) ([]catalog.Category, error)
	ProductsBySKU(ctx context.Context, skus []string) ([]catalog.Product, error)
}

// Deps is what the storefront needs from the rest of the shop.
type Deps struct {
	Catalog  Catalog
	Carts    cart.Store
	Orders   *order.Service
	Accounts *account.Service
	// Quotes prices carts for the cart and checkout pages (promotions,
	// coupon, amount to pay); nil shows undiscounted totals.
	Quotes   CartQuoter
	Currency string
	// Location is the shop's time zone: pages show times in it and the
	// sale scheduler reads typed times in it [UTC].
	Location *time.Location
	// Secret keys the CSRF tokens (a sub-key is derived from it, so the
	// order secret can be reused without the two uses meeting).
	Secret []byte
	Logger *slog.Logger
	Now    func() time.Time

	// PageCacheTTL is how long rendered public pages are reused in memory
	// (the shop passes its product cache TTL, 1s by default); 0 disables
	// the cache.
	PageCacheTTL time.Duration
	// SecureCookies marks cookies Secure even on plain HTTP, for a shop
	// behind a TLS-terminating edge. Over TLS they are always Secure.
	SecureCookies bool
	// ClientIP returns the client address for the sign-in throttle
	// [the connection's remote address].
	ClientIP func(*http.Request) string
	// StatusPoll is how often an order status stream rereads the order
	// [2s]; StatusStreamMax bounds one stream [15s], after which the
	// browser reconnects: short streams never hold up a graceful shutdown.
	StatusPoll      time.Duration
	StatusStreamMax time.Duration
	// Admin enables the admin console at /admin (admin_*.go); nil serves
	// no console.
	Admin *AdminDeps
}

// Server is the storefront: an http.Handler for everything under "/" that
// the API, metrics and images do not claim.
type Server struct {
	Deps
	pages    *pages
	assets   *assets
	cache    *pageCache
	products *pageCache // product pages by slug, apart so the key needs no prefix
	cats     *categoryCache
	csrfKey  []byte
	hv       headerValues
	handler  http.Handler
}

// New parses every template and fingerprints every asset, so a broken one
// fails at start rather than on a shopper's request.
func New(d Deps) (*Server, error) {
	if d.Catalog == nil || d.Carts == nil || d.Orders == nil || d.Accounts == nil {
		return nil, errors.New("web: Catalog, Carts, Orders and Accounts are required")
	}
	if len(d.Secret) == 0 {
		return nil, errors.New("web: Secret is required")
	}
	if d.Logger == nil {
		d.Logger = slog.New(slog.DiscardHandler)
	}
	if d.Now == nil {
		d.Now = func() time.Time { return time.Now().UTC() }
	}
	if d.Location == nil {
		d.Location = time.UTC
	}
	if d.ClientIP == nil {
		d.ClientIP = remoteIP
	}
	if d.StatusPoll <= 0 {
		d.StatusPoll = 2 * time.Second
	}
	if d.StatusStreamMax <= 0 {
		d.StatusStreamMax = 15 * time.Second
	}
	a, err := newAssets()
	if err != nil {
		return nil, fmt.Errorf("web: assets: %w", err)
	}
	p, err := parsePages(a, d.Location)
	if err != nil {
		return nil, fmt.Errorf("web: templates: %w", err)
	}
	m := hmac.New(sha256.New, d.Secret)
	m.Write([]byte("peakshop web csrf v1"))
	s := &Server{Deps: d, pages: p, assets: a, cache: newPageCache(d.PageCacheTTL), products: newPageCache(d.PageCacheTTL), cats: &categoryCache{ttl: 10 * time.Second},
		csrfKey: m.Sum(nil), hv: newHeaderValues()}
	mux := http.NewServeMux()
	s.routes(mux)
	cop := http.NewCrossOriginProtection()
	cop.SetDenyHandler(http.HandlerFunc(s.crossOriginDenied))
	s.handler = s.securityHeaders(cop.Handler(mux))
	return s, nil
}

// ServeHTTP serves the storefront. Product pages, the hottest address at
// peak, skip the second routing pass: they are GETs (nothing for the CSRF
// check to do) with one path segment after /products/.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if slug, ok := strings.CutPrefix(r.URL.Path, "/products/"); ok && (r.Method == http.MethodGet || r.Method == http.MethodHead) &&
		slug != "" && strings.IndexByte(slug, '/') < 0 {
		s.hv.setSecurity(w.Header())
		s.serveProduct(w, r, slug)
		return
	}
	s.handler.ServeHTTP(w, r)
}

// Purge drops every page kept in memory, for callers that change the
// catalog in-process (the admin pages, when they come).
func (s *Server) Purge() {
	s.cache.clear()
	s.products.clear()
}
