// Package api is the shop's JSON API under /api/v1: one file per resource,
// one table (errors.go) that maps error kinds to HTTP statuses, and an OpenAPI
// 3.1 document (openapi.json) that a test keeps in step with the routes.
//
// Handlers are plain net/http on the standard ServeMux: the API is small, and
// the hot read paths (product by id) gain from owning their bytes.
package api

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/peakshop/peakshop/internal/domain/cart"
	"github.com/peakshop/peakshop/internal/domain/catalog"
	"github.com/peakshop/peakshop/internal/domain/order"
	"github.com/peakshop/peakshop/internal/domain/payment"
	"github.com/peakshop/peakshop/internal/domain/promo"
)

// Deps is what the API needs from the rest of the shop.
type Deps struct {
	Catalog  catalog.Store
	Carts    cart.Store
	Orders   *order.Service
	Promos   promo.Store
	Currency string
	// IsAdmin reports whether a bearer token is the admin token.
	IsAdmin func(token string) bool
	// Ready reports whether the shop can serve (database reachable).
	Ready   func(ctx context.Context) error
	Metrics *Metrics
	Logger  *slog.Logger
	Now     func() time.Time
	// Purge, if set, drops cached copies tagged with any of the surrogate
	// keys (the edge's cache, the storefront's pages) after catalog writes.
	Purge func(keys ...string)
	// ProductCacheTTL bounds how stale a product read may be (stock changes
	// under it); 0 disables the cache.
	ProductCacheTTL time.Duration
	// StripeWebhooks verifies Stripe's webhook deliveries; nil (no signing
	// secret configured) makes the webhook endpoint answer 404.
	StripeWebhooks payment.EventVerifier
}

// Server serves the API.
type Server struct {
	Deps
	products *productCache
}

// New returns a Server.
func New(d Deps) *Server {
	if d.Now == nil {
		d.Now = func() time.Time { return time.Now().UTC() }
	}
	s := &Server{Deps: d, products: newProductCache(d.ProductCacheTTL)}
	s.products.hits, s.products.misses = d.Metrics.cacheCounters("product")
	return s
}

// Route is one endpoint: the OpenAPI test reads the same table the mux does.
type Route struct {
	Method, Path string
	Admin        bool
	handler      http.HandlerFunc
}

// Routes lists every endpoint the API serves.
func (s *Server) Routes() []Route {
	return []Route{
		{Method: "GET", Path: "/api/v1/products", handler: s.listProducts},
		{Method: "GET", Path: "/api/v1/products/{id}", handler: s.getProduct},
		{Method: "GET", Path: "/api/v1/categories", handler: s.listCategories},
		{Method: "POST", Path: "/api/v1/carts", handler: s.createCart},
		{Method: "GET", Path: "/api/v1/carts/{id}", handler: s.getCart},
		{Method: "PUT", Path: "/api/v1/carts/{id}/items/{sku}", handler: s.setCartItem},
		{Method: "POST", Path: "/api/v1/checkout", handler: s.checkout},
		{Method: "GET", Path: "/api/v1/orders/{id}", handler: s.getOrder},
		{Method: "POST", Path: "/api/v1/webhooks/stripe", handler: s.stripeWebhook},
		{Method: "PUT", Path: "/api/v1/admin/inventory/{sku}", Admin: true, handler: s.setInventory},
		{Method: "POST", Path: "/api/v1/admin/products", Admin: true, handler: s.createProduct},
		{Method: "PUT", Path: "/api/v1/admin/products/{id}", Admin: true, handler: s.updateProduct},
		{Method: "DELETE", Path: "/api/v1/admin/products/{id}", Admin: true, handler: s.deleteProduct},
		{Method: "GET", Path: "/api/v1/admin/orders", Admin: true, handler: s.listOrders},
		{Method: "POST", Path: "/api/v1/admin/promotions", Admin: true, handler: s.createPromotion},
		{Method: "GET", Path: "/api/v1/admin/promotions", Admin: true, handler: s.listPromotions},
		{Method: "DELETE", Path: "/api/v1/admin/promotions/{id}", Admin: true, handler: s.deletePromotion},
		{Method: "POST", Path: "/api/v1/admin/coupons", Admin: true, handler: s.createCoupon},
		{Method: "GET", Path: "/api/v1/admin/coupons", Admin: true, handler: s.listCoupons},
		{Method: "DELETE", Path: "/api/v1/admin/coupons/{code}", Admin: true, handler: s.deleteCoupon},
		{Method: "GET", Path: "/healthz", handler: s.healthz},
		{Method: "GET", Path: "/readyz", handler: s.readyz},
		{Method: "GET", Path: "/api/openapi.json", handler: serveOpenAPI},
	}
}

// Register adds the API's routes to mux, each wrapped with metrics, and a
// problem+json answer for unknown API paths and wrong methods.
func (s *Server) Register(mux *http.ServeMux) {
	methods := map[string][]string{}
	for _, rt := range s.Routes() {
		h := rt.handler
		if rt.Admin {
			h = s.requireAdmin(h)
		}
		mux.Handle(rt.Method+" "+rt.Path, s.Metrics.instrument(rt.Method+" "+rt.Path, h))
		methods[rt.Path] = append(methods[rt.Path], rt.Method)
	}
	for path, ms := range methods {
		mux.Handle(path, methodNotAllowed(ms))
	}
	mux.HandleFunc("/api/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, r, notFound("no such API endpoint; see /api/openapi.json"), s.Logger)
	})
}
