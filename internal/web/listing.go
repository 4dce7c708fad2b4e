package web

import (
	"context"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/peakshop/peakshop/internal/domain/apperr"
	"github.com/peakshop/peakshop/internal/domain/catalog"
)

// Paging of listing pages.
const (
	pageSize = 24
	// maxScan bounds the products one filtered page may look at (four
	// database pages): a filter that matches little shows fewer items and
	// a "more" link rather than scanning the whole catalog per request.
	maxScan    = 4
	maxQueryLn = 100
)

// listing is a category or search page's filters, as typed and as parsed.
// The catalog's list is cursor-paged by id; filters it cannot express
// (price, stock) are applied here, so the cursor stays the last id looked at.
type listing struct {
	Q        string
	InStock  bool
	MinPrice string // as typed, major units
	MaxPrice string
	After    int64
	Errors   fieldErrors
	min, max int64 // minor units, -1 when unset
}

func parseListing(v url.Values) listing {
	l := listing{Q: strings.TrimSpace(field(v.Get("q"), 4*maxQueryLn)), InStock: v.Get("in_stock") == "1", min: -1, max: -1,
		MinPrice: field(strings.TrimSpace(v.Get("min")), 20), MaxPrice: field(strings.TrimSpace(v.Get("max")), 20)}
	if utf8.RuneCountInString(l.Q) > maxQueryLn {
		l.Q = string([]rune(l.Q)[:maxQueryLn])
	}
	if a, err := strconv.ParseInt(v.Get("after"), 10, 64); err == nil && a > 0 {
		l.After = a
	}
	var ok bool
	if l.MinPrice != "" {
		if l.min, ok = parsePrice(l.MinPrice); !ok {
			l.addError("min", "Enter a price such as 20 or 19.99")
		}
	}
	if l.MaxPrice != "" {
		if l.max, ok = parsePrice(l.MaxPrice); !ok {
			l.addError("max", "Enter a price such as 50 or 49.99")
		}
	}
	if l.min >= 0 && l.max >= 0 && l.min > l.max {
		l.addError("max", "The highest price is below the lowest")
		l.max = -1
	}
	return l
}

func (l *listing) addError(field, msg string) {
	if l.Errors == nil {
		l.Errors = fieldErrors{}
	}
	l.Errors[field] = msg
}

// parsePrice reads "19", "19.9" or "19.99" as minor units (two decimals).
func parsePrice(s string) (int64, bool) {
	whole, frac, hasFrac := strings.Cut(s, ".")
	if whole == "" || len(whole) > 9 || len(frac) > 2 || (hasFrac && frac == "") {
		return -1, false
	}
	w, err := strconv.ParseUint(whole, 10, 64)
	if err != nil {
		return -1, false
	}
	f := uint64(0)
	if frac != "" {
		if f, err = strconv.ParseUint(frac, 10, 64); err != nil {
			return -1, false
		}
		if len(frac) == 1 {
			f *= 10
		}
	}
	return int64(w*100 + f), true
}

func (l listing) filtered() bool { return l.InStock || l.min >= 0 || l.max >= 0 }

// matches applies the filters the store cannot: some variant must be in
// stock, and the from-price must lie within the range.
func (l listing) matches(p catalog.Product) bool {
	if l.min >= 0 && p.Price.Amount < l.min || l.max >= 0 && p.Price.Amount > l.max {
		return false
	}
	if l.InStock {
		for _, v := range p.Variants {
			if v.Available > 0 {
				return true
			}
		}
		return false
	}
	return true
}

// values encodes the filters for links (next page, cache key), in a fixed
// order so one page has one URL.
func (l listing) values(after int64) url.Values {
	v := url.Values{}
	if l.Q != "" {
		v.Set("q", l.Q)
	}
	if l.InStock {
		v.Set("in_stock", "1")
	}
	if l.min >= 0 {
		v.Set("min", l.MinPrice)
	}
	if l.max >= 0 {
		v.Set("max", l.MaxPrice)
	}
	if after > 0 {
		v.Set("after", strconv.FormatInt(after, 10))
	}
	return v
}

func (l listing) url(path string, after int64) string {
	if q := l.values(after).Encode(); q != "" {
		return path + "?" + q
	}
	return path
}

// cacheKey names the page for the page cache: the path and the filters as
// typed (a bad price shows an error, so it is part of the page).
func (l listing) cacheKey(path string) string {
	v := l.values(l.After)
	v.Set("min", l.MinPrice)
	v.Set("max", l.MaxPrice)
	return path + "?" + v.Encode()
}

// errNotFoundOr is err, or NotFound when there is no error but nothing was found.
func errNotFoundOr(err error) error {
	if err != nil {
		return err
	}
	return apperr.New(apperr.NotFound, "not found")
}

// find returns one page of products and the cursor of the next (0 when
// there is none).
func (s *Server) find(ctx context.Context, category string, l listing) ([]catalog.Product, int64, error) {
	if !l.filtered() {
		ps, err := s.Catalog.ListProducts(ctx, catalog.ListQuery{Query: l.Q, Category: category, Limit: pageSize + 1, AfterID: l.After})
		if err != nil || len(ps) <= pageSize {
			return ps, 0, err
		}
		return ps[:pageSize], ps[pageSize-1].ID, nil
	}
	var out []catalog.Product
	after := l.After
	for range maxScan {
		ps, err := s.Catalog.ListProducts(ctx, catalog.ListQuery{Query: l.Q, Category: category, Limit: catalog.MaxListLimit, AfterID: after})
		if err != nil {
			return nil, 0, err
		}
		for _, p := range ps {
			after = p.ID
			if !l.matches(p) {
				continue
			}
			out = append(out, p)
			if len(out) == pageSize {
				return out, after, nil
			}
		}
		if len(ps) < catalog.MaxListLimit {
			return out, 0, nil
		}
	}
	return out, after, nil
}

// listingData is what category and search pages render.
type listingData struct {
	Heading    string
	Action     string // where the filter form goes
	Category   *catalog.Category
	Categories []catalog.Category
	Filter     listing
	Items      []catalog.Product
	NextURL    string
	FirstURL   string
}

func (s *Server) listingData(ctx context.Context, path string, cat *catalog.Category, l listing) (listingData, error) {
	slug := ""
	if cat != nil {
		slug = cat.Slug
	}
	items, next, err := s.find(ctx, slug, l)
	if err != nil {
		return listingData{}, err
	}
	cats, err := s.categories(ctx)
	if err != nil {
		return listingData{}, err
	}
	d := listingData{Action: path, Category: cat, Categories: cats, Filter: l, Items: items}
	if next > 0 {
		d.NextURL = l.url(path, next)
	}
	if l.After > 0 {
		d.FirstURL = l.url(path, 0)
	}
	return d, nil
}

// surrogateKeys names what a listing shows, for purging.
func surrogateKeys(first []string, items []catalog.Product) []string {
	keys := append(first, "storefront")
	for _, p := range items {
		keys = append(keys, "product-"+strconv.FormatInt(p.ID, 10))
	}
	return keys
}
