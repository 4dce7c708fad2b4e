package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/peakshop/peakshop/internal/domain/catalog"
)

type adminInventoryData struct {
	Threshold int
	Low       []catalog.Product
	SKU       string // the SKU just changed, or the one the form is about
	Now       string // its stock after the change
	Value     string
	Errors    fieldErrors
	Message   string
}

// adminInventory serves GET /admin/inventory: a form to set or adjust any
// SKU's stock and the low-stock list, emptiest first, each with its own form.
func (s *Server) adminInventory(w http.ResponseWriter, r *http.Request, a adminRequest) {
	q := r.URL.Query()
	s.showInventory(w, r, a, http.StatusOK, adminInventoryData{SKU: field(q.Get("sku"), 64), Now: field(q.Get("now"), 12)})
}

func (s *Server) showInventory(w http.ResponseWriter, r *http.Request, a adminRequest, status int, d adminInventoryData) {
	d.Threshold = lowStock
	low, err := s.Admin.Catalog.LowStock(r.Context(), lowStock, 2*adminPageSize)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	d.Low = low
	s.writePrivate(w, r, status, "admin_inventory", a.page(s, "Inventory", d))
}

// adminSetStock handles POST /admin/inventory/{sku}: op "set" makes the
// stock the value, op "adjust" adds it (negative to take away) in one
// conditional update, so it never loses a checkout that raced it.
func (s *Server) adminSetStock(w http.ResponseWriter, r *http.Request, a adminRequest) {
	sku := r.PathValue("sku")
	if sku == "" || sku == "lookup" {
		sku = strings.TrimSpace(field(r.PostForm.Get("sku"), 64))
	}
	d := adminInventoryData{SKU: sku, Value: strings.TrimSpace(field(r.PostForm.Get("value"), 20))}
	if !catalog.ValidSKU(sku) {
		d.Errors, d.Message = fieldErrors{"sku": "This is not a SKU."}, "Please correct the fields marked below."
		s.showInventory(w, r, a, http.StatusUnprocessableEntity, d)
		return
	}
	n, err := strconv.Atoi(d.Value)
	op := r.PostForm.Get("op")
	if err != nil || (op == "set" && n < 0) || (op != "set" && op != "adjust") {
		d.Errors, d.Message = fieldErrors{"value": "This must be a whole number (for adjust, negative takes stock away)."}, "Please correct the fields marked below."
		s.showInventory(w, r, a, http.StatusUnprocessableEntity, d)
		return
	}
	var v catalog.Variant
	if op == "set" {
		v, err = s.Admin.Catalog.SetAvailable(r.Context(), sku, n)
	} else {
		v, err = s.Admin.Catalog.AdjustAvailable(r.Context(), sku, n)
	}
	if err != nil {
		if st := statusOf(err); st >= 500 {
			s.fail(w, r, err)
			return
		}
		d.Errors, d.Message = formErrors(err)
		if d.Errors != nil {
			d.Errors = fieldErrors{"value": "This would take the stock below 0 or above 1,000,000,000."}
		}
		s.showInventory(w, r, a, statusOf(err), d)
		return
	}
	var productID int64 // 0 purges everything, if the product cannot be read
	if ps, err := s.Admin.Catalog.AnyProductsBySKU(r.Context(), []string{v.SKU}); err == nil && len(ps) == 1 {
		productID = ps[0].ID
	}
	s.adminPurge(productID)
	http.Redirect(w, r, "/admin/inventory?"+url.Values{"sku": {v.SKU}, "now": {strconv.Itoa(v.Available)}}.Encode(), http.StatusSeeOther)
}
