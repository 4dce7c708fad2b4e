package rehearse

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// hotProduct is a product the flash sale fights over.
type hotProduct struct {
	Slug string   `json:"slug"`
	SKUs []string `json:"skus"`
}

// prepareSale picks the flash sale's hot products (the first n whose every
// variant is in stock, from the API's first page, as any client would see
// them) and sets each variant's stock to stock through the admin API, so
// the sale runs out mid-spike and checkouts race for the last units: the
// situation that oversells a careless shop. It happens before the
// baseline, so the audit counts from the restocked levels.
func prepareSale(ctx context.Context, base, token string, n, stock int) ([]hotProduct, error) {
	c := &http.Client{Timeout: 30 * time.Second}
	var page struct {
		Items []struct {
			Slug     string `json:"slug"`
			Variants []struct {
				SKU       string `json:"sku"`
				Available int    `json:"available"`
			} `json:"variants"`
		} `json:"items"`
	}
	if err := call(ctx, c, http.MethodGet, base+"/api/v1/products?limit=100", "", nil, &page); err != nil {
		return nil, fmt.Errorf("rehearse: flash sale: %w", err)
	}
	var hot []hotProduct
	for _, p := range page.Items {
		if len(hot) == n {
			break
		}
		h := hotProduct{Slug: p.Slug}
		for _, v := range p.Variants {
			if v.Available == 0 {
				h.SKUs = nil
				break
			}
			h.SKUs = append(h.SKUs, v.SKU)
		}
		if len(h.SKUs) > 0 {
			hot = append(hot, h)
		}
	}
	if len(hot) == 0 {
		return nil, fmt.Errorf("rehearse: flash sale: no product in stock on the first catalog page of %s", base)
	}
	if stock <= 0 {
		return hot, nil
	}
	body := []byte(`{"available":` + strconv.Itoa(stock) + `}`)
	for _, h := range hot {
		for _, sku := range h.SKUs {
			if err := call(ctx, c, http.MethodPut, base+"/api/v1/admin/inventory/"+url.PathEscape(sku), token, body, nil); err != nil {
				return nil, fmt.Errorf("rehearse: flash sale: stock %s: %w", sku, err)
			}
		}
	}
	return hot, nil
}

// call sends one JSON request and decodes the answer into out (if not nil).
// These are setup calls, not load: they carry no synthetic marker.
func call(ctx context.Context, c *http.Client, method, u, token string, body []byte, out any) error {
	req, err := http.NewRequestWithContext(ctx, method, u, bytes.NewReader(body))
	if err != nil {
		return err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := c.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(res.Body, 8<<20))
	if res.StatusCode/100 != 2 {
		return fmt.Errorf("%s %s: status %d: %.200s", method, u, res.StatusCode, strings.TrimSpace(string(b)))
	}
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			return fmt.Errorf("%s %s: %w", method, u, err)
		}
	}
	return nil
}
