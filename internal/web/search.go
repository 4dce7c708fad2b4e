package web

import (
	"net/http"
)

// search serves /search?q=: products whose name or description holds the
// words, with the same filters as a category. An empty query shows the
// form; any query string at all gets a page, never an error.
func (s *Server) search(w http.ResponseWriter, r *http.Request) {
	l := parseListing(r.URL.Query())
	p, err := s.cache.get(r.Context(), l.cacheKey("/search"), func() (rendered, error) {
		d := listingData{Action: "/search", Filter: l}
		var err error
		if l.Q != "" {
			if d, err = s.listingData(r.Context(), "/search", nil, l); err != nil {
				return rendered{}, err
			}
		} else if d.Categories, err = s.categories(r.Context()); err != nil {
			return rendered{}, err
		}
		title := "Search"
		if l.Q != "" {
			title = "Search results for “" + l.Q + "”"
		}
		d.Heading = title
		body, err := s.render("search", page{Title: title, NoIndex: true, Data: d})
		if err != nil {
			return rendered{}, err
		}
		return newRendered(body, surrogateKeys([]string{"search"}, d.Items)), nil
	})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.writePublic(w, r, http.StatusOK, p)
}
