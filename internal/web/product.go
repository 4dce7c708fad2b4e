package web

import (
	"context"
	"net/http"
	"strconv"
	"strings"

	"github.com/peakshop/peakshop/internal/domain/catalog"
)

type productData struct {
	Product  catalog.Product
	Category catalog.Category
	Variants []variantView
	JSONLD   productLD
	// Selected is the variant checked by default: the first in stock.
	Selected string
	InStock  bool
	// PriceVaries shows "From" before the price when variants differ.
	PriceVaries bool
}

type variantView struct {
	catalog.Variant
	Note string
	Low  bool
	Out  bool
}

// product serves /products/{slug}: pictures, variants with prices and
// stock, an add-to-cart form, and schema.org JSON-LD. The page depends only
// on the product, so it is cached here and by the edge.
func (s *Server) product(w http.ResponseWriter, r *http.Request) {
	s.serveProduct(w, r, r.PathValue("slug"))
}

func (s *Server) serveProduct(w http.ResponseWriter, r *http.Request, slug string) {
	if !validSlug(slug) {
		s.notFound(w, r)
		return
	}
	p, ok := s.products.peek(slug)
	if ok {
		s.writePublic(w, r, http.StatusOK, p)
		return
	}
	p, err := s.products.get(r.Context(), slug, func() (rendered, error) { return s.renderProduct(r.Context(), slug) })
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.writePublic(w, r, http.StatusOK, p)
}

func (s *Server) renderProduct(ctx context.Context, slug string) (rendered, error) {
	p, err := s.Catalog.ProductBySlug(ctx, slug)
	if err != nil {
		return rendered{}, err
	}
	d := productData{Product: p, JSONLD: productJSONLD(p)}
	keys := []string{"product-" + strconv.FormatInt(p.ID, 10), "storefront"}
	if c, ok, err := s.categoryBySlug(ctx, p.Category); err == nil && ok {
		d.Category = c
		keys = append(keys, "category-"+strconv.FormatInt(c.ID, 10))
	}
	for _, v := range p.Variants {
		vv := variantView{Variant: v, Note: stockNote(v.Available), Out: v.Available <= 0, Low: v.Available > 0 && v.Available <= lowStock}
		if v.Price != p.Price {
			d.PriceVaries = true
		}
		if !vv.Out && d.Selected == "" {
			d.Selected = v.SKU
		}
		d.Variants = append(d.Variants, vv)
	}
	d.InStock = d.Selected != ""
	body, err := s.render("product", page{Title: p.Name, Description: p.Description, Data: d})
	if err != nil {
		return rendered{}, err
	}
	return newRendered(body, keys), nil
}

// validSlug is catalog.ValidSlug without the regular expression, which cost
// a tenth of a cached product page: lower-case letters and digits in runs
// joined by single dashes, not only digits, at most 120 bytes.
func validSlug(s string) bool {
	if len(s) == 0 || len(s) > 120 || s[0] == '-' || s[len(s)-1] == '-' {
		return false
	}
	letter := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z':
			letter = true
		case c >= '0' && c <= '9':
		case c == '-' && s[i-1] != '-':
		default:
			return false
		}
	}
	return letter || strings.IndexByte(s, '-') >= 0
}
