package loadgen

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
)

// catalog is what shoppers pick from, read once through the public API at
// the start of a run (as a client would see it, never from the database).
type catalog struct {
	categories []string  // slugs
	products   []product // with at least one variant in stock
	hot        []product // the flash sale's (see FlashSale)
}

type product struct {
	Slug     string `json:"slug"`
	Variants []struct {
		SKU       string `json:"sku"`
		Available int    `json:"available"`
	} `json:"variants"`
}

// catalogPages bounds the start-up read: 5 pages of 100 products give
// enough variety for caches to behave realistically without a long warm-up.
const catalogPages = 5

func (r *runner) loadCatalog(ctx context.Context) (*catalog, error) {
	tr := newTransport()
	defer tr.CloseIdleConnections()
	hc := &http.Client{Transport: tr, Timeout: r.sc.Timeout.D()}
	var cats struct {
		Items []struct {
			Slug string `json:"slug"`
		} `json:"items"`
	}
	if err := r.getJSON(ctx, hc, "/api/v1/categories", &cats); err != nil {
		return nil, err
	}
	c := &catalog{}
	for _, x := range cats.Items {
		c.categories = append(c.categories, x.Slug)
	}
	cursor := ""
	for range catalogPages {
		var page struct {
			Items      []product `json:"items"`
			NextCursor string    `json:"next_cursor"`
		}
		if err := r.getJSON(ctx, hc, "/api/v1/products?limit=100&cursor="+url.QueryEscape(cursor), &page); err != nil {
			return nil, err
		}
		for _, p := range page.Items {
			for _, v := range p.Variants {
				if v.Available > 0 {
					c.products = append(c.products, p)
					break
				}
			}
		}
		if cursor = page.NextCursor; cursor == "" {
			break
		}
	}
	if len(c.products) == 0 || len(c.categories) == 0 {
		return nil, fmt.Errorf("catalog at %s: %d categories and %d products in stock; journeys need both", r.base, len(c.categories), len(c.products))
	}
	if err := c.pickHot(r.sc.FlashSale); err != nil {
		return nil, err
	}
	return c, nil
}

// pickHot finds the flash sale's products: the named ones, or the first few
// in stock. A named product missing from the catalog is an error, since a
// sale on nothing would measure nothing.
func (c *catalog) pickHot(f *FlashSale) error {
	if f == nil || len(f.Products) == 0 {
		n := defaultHotProducts
		if f != nil {
			n = f.HotProducts
		}
		c.hot = c.products[:min(n, len(c.products))]
		return nil
	}
	for _, slug := range f.Products {
		i := slices.IndexFunc(c.products, func(p product) bool { return p.Slug == slug })
		if i < 0 {
			return fmt.Errorf("flash_sale: product %q is not among the in-stock products of the first %d catalog pages", slug, catalogPages)
		}
		c.hot = append(c.hot, c.products[i])
	}
	return nil
}

// getJSON is for the start-up reads; they do not count as load.
func (r *runner) getJSON(ctx context.Context, hc *http.Client, path string, v any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, r.base+path, nil)
	if err != nil {
		return fmt.Errorf("catalog: %w", err)
	}
	req.Header.Set("Baggage", "synthetic=true")
	req.Header.Set("User-Agent", userAgent)
	resp, err := hc.Do(req)
	if err != nil {
		return fmt.Errorf("catalog: GET %s: %w", path, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("catalog: GET %s: status %d", path, resp.StatusCode)
	}
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		return fmt.Errorf("catalog: GET %s: %w", path, err)
	}
	return nil
}
