package web

import (
	"net/http"
	"strconv"

	"github.com/peakshop/peakshop/internal/domain/catalog"
)

// stock serves /products/{slug}/stock, the fragment htmx polls on a product
// page to keep its stock badges live: one out-of-band swap per variant. It
// is public and cached briefly like the page, so a thousand shoppers on one
// product cost one database read a second.
func (s *Server) stock(w http.ResponseWriter, r *http.Request) {
	slug := r.PathValue("slug")
	if !catalog.ValidSlug(slug) {
		s.notFound(w, r)
		return
	}
	p, err := s.cache.get(r.Context(), "s:"+slug, func() (rendered, error) {
		p, err := s.Catalog.ProductBySlug(r.Context(), slug)
		if err != nil {
			return rendered{}, err
		}
		vs := make([]variantView, 0, len(p.Variants))
		for _, v := range p.Variants {
			vs = append(vs, variantView{Variant: v, Note: stockNote(v.Available), Out: v.Available <= 0, Low: v.Available > 0 && v.Available <= lowStock})
		}
		body, err := s.renderFragment("product", "stock-badges", vs)
		if err != nil {
			return rendered{}, err
		}
		return newRendered(body, []string{"product-" + strconv.FormatInt(p.ID, 10)}), nil
	})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.writePublic(w, r, http.StatusOK, p)
}
