package web

import (
	"net/http"
	"strconv"

	"github.com/peakshop/peakshop/internal/domain/catalog"
)

// category serves /c/{slug}: a category's products with filters (in stock,
// price range, words) and forward paging.
func (s *Server) category(w http.ResponseWriter, r *http.Request) {
	slug := r.PathValue("slug")
	if !catalog.ValidSlug(slug) {
		s.notFound(w, r)
		return
	}
	l := parseListing(r.URL.Query())
	path := "/c/" + slug
	p, err := s.cache.get(r.Context(), l.cacheKey(path), func() (rendered, error) {
		cat, ok, err := s.categoryBySlug(r.Context(), slug)
		if err != nil || !ok {
			return rendered{}, errNotFoundOr(err)
		}
		d, err := s.listingData(r.Context(), path, &cat, l)
		if err != nil {
			return rendered{}, err
		}
		d.Heading = cat.Name
		body, err := s.render("category", page{Title: cat.Name, Description: "Shop " + cat.Name + " at peakshop.", Data: d})
		if err != nil {
			return rendered{}, err
		}
		return newRendered(body, surrogateKeys([]string{"category-" + strconv.FormatInt(cat.ID, 10)}, d.Items)), nil
	})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.writePublic(w, r, http.StatusOK, p)
}
