package loadgen

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
)

// catalog is what shoppers pick from, read once through the public API at
// the start of a run (as a client would see it, never from the database).
type catalog struct {
	categories []string  // slugs
	products   []product // with at least one variant in stock
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
	return c, nil
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
