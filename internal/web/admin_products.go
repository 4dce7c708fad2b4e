package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/peakshop/peakshop/internal/domain/catalog"
)

// adminPageSize is how many products, orders or SKUs an admin list shows.
const adminPageSize = 50

type adminProductsData struct {
	Q        string
	Products []catalog.Product
	NextURL  string
}

// adminProducts serves GET /admin/products?q=&after=: search and page
// through the catalog.
func (s *Server) adminProducts(w http.ResponseWriter, r *http.Request, a adminRequest) {
	q := field(r.URL.Query().Get("q"), 100)
	after, _ := strconv.ParseInt(r.URL.Query().Get("after"), 10, 64)
	ps, err := s.Admin.Catalog.ListProducts(r.Context(), catalog.ListQuery{Query: q, Limit: adminPageSize + 1, AfterID: max(after, 0), Drafts: true})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	d := adminProductsData{Q: q, Products: ps}
	if len(ps) > adminPageSize {
		d.Products = ps[:adminPageSize]
		d.NextURL = "/admin/products?" + url.Values{"q": {q}, "after": {strconv.FormatInt(ps[adminPageSize-1].ID, 10)}}.Encode()
	}
	s.writePrivate(w, r, http.StatusOK, "admin_products", a.page(s, "Products", d))
}

// adminProductForm is the product form as typed: prices stay text until
// they parse, so a mistake comes back as the admin wrote it.
type adminProductForm struct {
	ID          int64
	Slug        string
	Name        string
	Description string
	Category    string
	Images      string // one per line
	Variants    []adminVariantRow
	// Published is the checkbox; Live is what the store holds (the badge
	// and the publish button show it, whatever the form says).
	Published  bool
	Live       bool
	Categories []catalog.Category
	Errors     fieldErrors
	Message    string
	Saved      bool
}

type adminVariantRow struct {
	SKU, Name, Price string
	Available        int
}

// extraVariantRows is how many empty variant rows the form offers, for
// adding variants without JavaScript.
const extraVariantRows = 2

func (s *Server) productForm(p catalog.Product) adminProductForm {
	f := adminProductForm{ID: p.ID, Slug: p.Slug, Name: p.Name, Description: p.Description, Category: p.Category,
		Images: strings.Join(p.Images, "\n"), Published: p.Published, Live: p.Published}
	for _, v := range p.Variants {
		f.Variants = append(f.Variants, adminVariantRow{SKU: v.SKU, Name: v.Name, Price: decimalPrice(v.Price), Available: v.Available})
	}
	return f
}

// adminNewProduct serves GET /admin/products/new.
func (s *Server) adminNewProduct(w http.ResponseWriter, r *http.Request, a adminRequest) {
	s.showProductForm(w, r, a, http.StatusOK, adminProductForm{Published: true})
}

// adminProduct serves GET /admin/products/{id}, the edit form.
func (s *Server) adminProduct(w http.ResponseWriter, r *http.Request, a adminRequest) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		s.adminNotFound(w, r)
		return
	}
	p, err := s.Admin.Catalog.AnyProductByID(r.Context(), id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	f := s.productForm(p)
	f.Saved = r.URL.Query().Get("saved") == "1"
	s.showProductForm(w, r, a, http.StatusOK, f)
}

func (s *Server) showProductForm(w http.ResponseWriter, r *http.Request, a adminRequest, status int, f adminProductForm) {
	cats, err := s.Admin.Catalog.Categories(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	f.Categories = cats
	for range extraVariantRows {
		f.Variants = append(f.Variants, adminVariantRow{})
	}
	title := "New product"
	if f.ID != 0 {
		title = "Edit " + f.Name
	}
	s.writePrivate(w, r, status, "admin_product", a.page(s, title, f))
}

// adminCreateProduct handles POST /admin/products.
func (s *Server) adminCreateProduct(w http.ResponseWriter, r *http.Request, a adminRequest) {
	f, d, ok := s.readProductForm(r)
	if ok {
		p, err := s.Admin.Catalog.CreateProduct(r.Context(), d)
		if err == nil {
			s.adminPurge(0)
			http.Redirect(w, r, "/admin/products/"+strconv.FormatInt(p.ID, 10)+"?saved=1", http.StatusSeeOther)
			return
		}
		if !s.formFailure(w, r, err, &f) {
			return
		}
	}
	s.showProductForm(w, r, a, http.StatusUnprocessableEntity, f)
}

// adminUpdateProduct handles POST /admin/products/{id}. Stock is not on
// this form: variants keep theirs (inventory has its own page).
func (s *Server) adminUpdateProduct(w http.ResponseWriter, r *http.Request, a adminRequest) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		s.adminNotFound(w, r)
		return
	}
	f, d, ok := s.readProductForm(r)
	f.ID = id
	if cur, err := s.Admin.Catalog.AnyProductByID(r.Context(), id); err == nil {
		f.Live = cur.Published
	}
	if ok {
		p, err := s.Admin.Catalog.UpdateProduct(r.Context(), id, d)
		if err == nil {
			if p.Published != f.Live {
				s.adminPurge(0) // it came or went: listings and counts change too
			} else {
				s.adminPurge(id)
			}
			http.Redirect(w, r, "/admin/products/"+strconv.FormatInt(id, 10)+"?saved=1", http.StatusSeeOther)
			return
		}
		if !s.formFailure(w, r, err, &f) {
			return
		}
	}
	s.showProductForm(w, r, a, http.StatusUnprocessableEntity, f)
}

// formFailure puts a store error beside the form's fields; it answers the
// request itself and returns false when the error is not the admin's to fix.
func (s *Server) formFailure(w http.ResponseWriter, r *http.Request, err error, f *adminProductForm) bool {
	if st := statusOf(err); st >= 500 || st == http.StatusNotFound {
		s.fail(w, r, err)
		return false
	}
	f.Errors, f.Message = formErrors(err)
	return true
}

// adminPublish handles POST /admin/products/{id}/publish with published=1
// (publish) or published=0 (back to draft).
func (s *Server) adminPublish(w http.ResponseWriter, r *http.Request, _ adminRequest) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		s.adminNotFound(w, r)
		return
	}
	var published bool
	switch r.PostForm.Get("published") {
	case "1":
		published = true
	case "0":
	default:
		s.adminNotFound(w, r)
		return
	}
	if _, err := s.Admin.Catalog.SetPublished(r.Context(), id, published); err != nil {
		s.fail(w, r, err)
		return
	}
	// A product coming or going changes listings and category counts, not
	// only its own page.
	s.adminPurge(0)
	http.Redirect(w, r, "/admin/products/"+strconv.FormatInt(id, 10)+"?saved=1", http.StatusSeeOther)
}
