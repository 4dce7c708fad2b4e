package web

import (
	"github.com/peakshop/peakshop/internal/domain/catalog"
)

// productLD is a schema.org Product for search engines. html/template
// JSON-encodes it inside <script type="application/ld+json">, escaping what
// could end the script element. URLs are relative: the shop does not know
// the public host name it is served under, and trusting the Host header
// would let anyone poison a shared cache.
type productLD struct {
	Context     string    `json:"@context"`
	Type        string    `json:"@type"`
	Name        string    `json:"name"`
	Description string    `json:"description,omitempty"`
	SKU         string    `json:"sku,omitempty"`
	Image       []string  `json:"image,omitempty"`
	Category    string    `json:"category,omitempty"`
	URL         string    `json:"url"`
	Offers      []offerLD `json:"offers"`
}

type offerLD struct {
	Type          string `json:"@type"`
	SKU           string `json:"sku"`
	Name          string `json:"name"`
	Price         string `json:"price"`
	PriceCurrency string `json:"priceCurrency"`
	Availability  string `json:"availability"`
	URL           string `json:"url"`
}

func productJSONLD(p catalog.Product) productLD {
	ld := productLD{Context: "https://schema.org", Type: "Product", Name: p.Name, Description: p.Description,
		Category: p.Category, URL: "/products/" + p.Slug}
	for _, img := range p.Images {
		ld.Image = append(ld.Image, imageURL(img, 1200))
	}
	for i, v := range p.Variants {
		if i == 0 {
			ld.SKU = v.SKU
		}
		avail := "https://schema.org/InStock"
		switch {
		case v.Available <= 0:
			avail = "https://schema.org/OutOfStock"
		case v.Available <= lowStock:
			avail = "https://schema.org/LimitedAvailability"
		}
		ld.Offers = append(ld.Offers, offerLD{Type: "Offer", SKU: v.SKU, Name: v.Name, Price: decimalPrice(v.Price),
			PriceCurrency: v.Price.Currency, Availability: avail, URL: ld.URL})
	}
	return ld
}
