package web

import (
	"context"
	"net/http"
	"strconv"

	"github.com/peakshop/peakshop/internal/domain/catalog"
)

// featuredCount is how many products the home page shows: one from each of
// the first categories, so the page shows the breadth of the shop.
const featuredCount = 8

type homeData struct {
	Categories []catalog.Category
	Featured   []catalog.Product
}

// home serves /: categories and featured products.
func (s *Server) home(w http.ResponseWriter, r *http.Request) {
	p, err := s.cache.get(r.Context(), "/", func() (rendered, error) {
		d, err := s.homeData(r.Context())
		if err != nil {
			return rendered{}, err
		}
		body, err := s.render("home", page{Title: "peakshop", Description: "Everything for the season, at peak prices that are not.", Data: d})
		if err != nil {
			return rendered{}, err
		}
		keys := []string{"home"}
		for _, c := range d.Categories {
			keys = append(keys, "category-"+strconv.FormatInt(c.ID, 10))
		}
		return newRendered(body, surrogateKeys(keys, d.Featured)), nil
	})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.writePublic(w, r, http.StatusOK, p)
}

func (s *Server) homeData(ctx context.Context) (homeData, error) {
	cats, err := s.categories(ctx)
	if err != nil {
		return homeData{}, err
	}
	d := homeData{Categories: cats}
	for _, c := range cats {
		if len(d.Featured) == featuredCount {
			break
		}
		if c.ProductCount == 0 {
			continue
		}
		ps, err := s.Catalog.ListProducts(ctx, catalog.ListQuery{Category: c.Slug, Limit: 1})
		if err != nil {
			return homeData{}, err
		}
		d.Featured = append(d.Featured, ps...)
	}
	return d, nil
}
