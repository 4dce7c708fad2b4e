package web

import (
	"context"
	"net/http"
	"strconv"

	"github.com/peakshop/peakshop/internal/domain/account"
	"github.com/peakshop/peakshop/internal/domain/catalog"
)

// The admin console (admin_*.go, templates/admin_*.html) is the shop's back
// office in the browser: products, inventory and orders. It reuses the
// storefront's layout, sessions and CSRF tokens, and adds two gates: the
// account must have the admin role, and the session must have passed TOTP
// after the password (account.Admins). Every admin page is private; every
// change purges the rendered storefront pages kept in memory.

// AdminDeps is what the admin console needs beyond the storefront's Deps.
type AdminDeps struct {
	Admins  *account.Admins
	Catalog AdminCatalog
	// TOTP stores secrets confirmed at /admin/enrol; nil hides enrolment.
	TOTP account.EnrolStore
	// Schedule keeps the sale scheduler's changes; nil hides its pages.
	Schedule catalog.Schedule
	// Purge, if set, runs after every change besides the storefront's own
	// purge, with the surrogate keys of what changed ("product-12", or
	// "storefront" for everything), for the edge's cache and the API's.
	Purge func(keys ...string)
}

// AdminCatalog is the catalog as the admin console reads and writes it.
type AdminCatalog interface {
	ListProducts(ctx context.Context, q catalog.ListQuery) ([]catalog.Product, error)
	// AnyProductByID and AnyProductsBySKU read drafts too.
	AnyProductByID(ctx context.Context, id int64) (catalog.Product, error)
	AnyProductsBySKU(ctx context.Context, skus []string) ([]catalog.Product, error)
	SetPublished(ctx context.Context, id int64, published bool) (catalog.Product, error)
	Categories(ctx context.Context) ([]catalog.Category, error)
	CreateProduct(ctx context.Context, d catalog.Draft) (catalog.Product, error)
	UpdateProduct(ctx context.Context, id int64, d catalog.Draft) (catalog.Product, error)
	SetAvailable(ctx context.Context, sku string, available int) (catalog.Variant, error)
	AdjustAvailable(ctx context.Context, sku string, delta int) (catalog.Variant, error)
	// LowStock lists variants with at most threshold in stock, each as its
	// product holding only that variant.
	LowStock(ctx context.Context, threshold, limit int) ([]catalog.Product, error)
}

// adminRoutes mounts the console when it is configured.
func (s *Server) adminRoutes(mux *http.ServeMux) {
	if s.Admin == nil || s.Admin.Admins == nil || s.Admin.Catalog == nil {
		return
	}
	mux.HandleFunc("GET /admin/verify", s.adminVerifyPage)
	mux.HandleFunc("POST /admin/verify", s.adminVerify)
	if s.Admin.TOTP != nil {
		mux.HandleFunc("GET /admin/enrol", s.adminEnrolPage)
		mux.HandleFunc("POST /admin/enrol", s.adminEnrol)
	}
	mux.HandleFunc("GET /admin", s.requireAdmin(s.adminHome))
	mux.HandleFunc("GET /admin/products", s.requireAdmin(s.adminProducts))
	mux.HandleFunc("GET /admin/products/new", s.requireAdmin(s.adminNewProduct))
	mux.HandleFunc("POST /admin/products", s.requireAdmin(s.adminCreateProduct))
	mux.HandleFunc("GET /admin/products/{id}", s.requireAdmin(s.adminProduct))
	mux.HandleFunc("POST /admin/products/{id}", s.requireAdmin(s.adminUpdateProduct))
	mux.HandleFunc("POST /admin/products/{id}/publish", s.requireAdmin(s.adminPublish))
	mux.HandleFunc("GET /admin/inventory", s.requireAdmin(s.adminInventory))
	mux.HandleFunc("POST /admin/inventory/{sku}", s.requireAdmin(s.adminSetStock))
	mux.HandleFunc("GET /admin/orders", s.requireAdmin(s.adminOrders))
	mux.HandleFunc("GET /admin/orders/{id}", s.requireAdmin(s.adminOrder))
	if s.Admin.Schedule != nil {
		mux.HandleFunc("GET /admin/schedule", s.requireAdmin(s.adminSchedule))
		mux.HandleFunc("POST /admin/schedule", s.requireAdmin(s.adminCreateSchedule))
		mux.HandleFunc("POST /admin/schedule/{id}/cancel", s.requireAdmin(s.adminCancelSchedule))
	}
}

// adminPurge drops cached pages after a change to product id (0: a change
// whose reach is wider, such as a new product on listing pages), so
// shoppers see it at once. "catalog" tags the JSON API's documents.
func (s *Server) adminPurge(productID int64) {
	s.Purge()
	if s.Admin.Purge == nil {
		return
	}
	if productID == 0 {
		s.Admin.Purge("catalog", "storefront")
		return
	}
	s.Admin.Purge("catalog", "product-"+strconv.FormatInt(productID, 10))
}

func (s *Server) adminHome(w http.ResponseWriter, r *http.Request, _ adminRequest) {
	http.Redirect(w, r, "/admin/products", http.StatusSeeOther)
}
