package api

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/peakshop/peakshop/internal/domain/catalog"
)

// catalogCacheControl lets browsers and the edge keep catalog reads for a few
// seconds and serve them stale while revalidating: at peak the same product
// is read thousands of times a second, and stock shown may lag that long
// (checkout is what decides).
const catalogCacheControl = "public, max-age=5, stale-while-revalidate=30"

type productPage struct {
	Items      []catalog.Product `json:"items"`
	NextCursor string            `json:"next_cursor"`
}

func (s *Server) listProducts(w http.ResponseWriter, r *http.Request) {
	q, err := parseListQuery(r)
	if err != nil {
		writeError(w, r, err, s.Logger)
		return
	}
	want := q.Limit
	q.Limit++ // one more tells whether there is a next page
	items, err := s.Catalog.ListProducts(r.Context(), q)
	if err != nil {
		writeError(w, r, err, s.Logger)
		return
	}
	page := productPage{Items: items}
	if len(items) > want {
		page.Items = items[:want]
		page.NextCursor = encodeCursor(page.Items[want-1].ID)
	}
	if page.Items == nil {
		page.Items = []catalog.Product{}
	}
	b, err := json.Marshal(page)
	if err != nil {
		writeError(w, r, err, s.Logger)
		return
	}
	b = append(b, '\n')
	w.Header().Set("Surrogate-Key", "catalog")
	writeCacheable(w, r, b, etagOf(b), catalogCacheControl)
}

func parseListQuery(r *http.Request) (catalog.ListQuery, error) {
	v := r.URL.Query()
	q := catalog.ListQuery{Query: strings.TrimSpace(v.Get("q")), Category: v.Get("category"), Limit: catalog.DefaultListLimit}
	if len(q.Query) > 100 || !utf8.ValidString(q.Query) {
		return q, invalidField("q", "must be at most 100 characters of text")
	}
	if q.Category != "" && !catalog.ValidSlug(q.Category) {
		return q, invalidField("category", "must be a category slug")
	}
	if l := v.Get("limit"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil || n < 1 || n > catalog.MaxListLimit {
			return q, invalidField("limit", "must be a whole number from 1 to 100")
		}
		q.Limit = n
	}
	if c := v.Get("cursor"); c != "" {
		id, ok := decodeCursor(c)
		if !ok {
			return q, invalidField("cursor", "is not a cursor this API gave out")
		}
		q.AfterID = id
	}
	return q, nil
}

// Cursors are opaque to clients so the ordering can change without breaking
// them; today a cursor is the last id of the page.
func encodeCursor(id int64) string {
	return base64.RawURLEncoding.EncodeToString([]byte("p1:" + strconv.FormatInt(id, 10)))
}

func decodeCursor(c string) (int64, bool) {
	b, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil || !strings.HasPrefix(string(b), "p1:") {
		return 0, false
	}
	id, err := strconv.ParseInt(string(b[3:]), 10, 64)
	return id, err == nil && id >= 0
}

func (s *Server) getProduct(w http.ResponseWriter, r *http.Request) {
	key := r.PathValue("id")
	e, err := s.products.get(r.Context(), key, func() (cachedJSON, error) {
		p, err := s.lookupProduct(r, key)
		if err != nil {
			return cachedJSON{}, err
		}
		e, err := newCachedJSON(p)
		e.keys = "catalog product-" + strconv.FormatInt(p.ID, 10)
		return e, err
	})
	if err != nil {
		writeError(w, r, err, s.Logger)
		return
	}
	w.Header().Set("Surrogate-Key", e.keys)
	writeCacheable(w, r, e.body, e.etag, catalogCacheControl)
}

func (s *Server) lookupProduct(r *http.Request, key string) (catalog.Product, error) {
	if id, err := strconv.ParseInt(key, 10, 64); err == nil {
		return s.Catalog.ProductByID(r.Context(), id)
	}
	if !catalog.ValidSlug(key) {
		return catalog.Product{}, notFound("no such product")
	}
	return s.Catalog.ProductBySlug(r.Context(), key)
}

func (s *Server) listCategories(w http.ResponseWriter, r *http.Request) {
	cats, err := s.Catalog.Categories(r.Context())
	if err != nil {
		writeError(w, r, err, s.Logger)
		return
	}
	if cats == nil {
		cats = []catalog.Category{}
	}
	b, err := json.Marshal(map[string]any{"items": cats})
	if err != nil {
		writeError(w, r, err, s.Logger)
		return
	}
	b = append(b, '\n')
	w.Header().Set("Surrogate-Key", "catalog")
	writeCacheable(w, r, b, etagOf(b), catalogCacheControl)
}
