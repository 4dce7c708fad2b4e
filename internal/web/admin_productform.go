package web

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/peakshop/peakshop/internal/domain/catalog"
	"github.com/peakshop/peakshop/internal/domain/money"
)

// readProductForm turns the posted product form into a draft. It returns
// the form as typed (to show again) and whether the draft is worth sending
// to the store; prices that do not parse are marked beside their row.
func (s *Server) readProductForm(r *http.Request) (adminProductForm, catalog.Draft, bool) {
	pf := r.PostForm
	f := adminProductForm{Slug: strings.TrimSpace(field(pf.Get("slug"), 200)), Name: field(pf.Get("name"), 1000),
		Description: field(pf.Get("description"), 12000), Category: field(pf.Get("category"), 200),
		Images: field(pf.Get("images"), 6000)}
	d := catalog.Draft{Slug: f.Slug, Name: f.Name, Description: f.Description, Category: f.Category}
	// An unticked checkbox sends nothing, so the form also sends
	// has_published: without it (an older form, a script) publication is
	// left alone, as the API does when "published" is absent.
	f.Published = true
	if pf.Get("has_published") == "1" {
		f.Published = pf.Get("published") == "1"
		d.Published = &f.Published
	}
	for _, line := range strings.Split(f.Images, "\n") {
		if line = strings.TrimSpace(line); line != "" {
			d.Images = append(d.Images, line)
		}
	}
	skus, names, prices := pf["v_sku"], pf["v_name"], pf["v_price"]
	ok := true
	for i := range min(len(skus), catalog.MaxVariants+extraVariantRows) {
		row := adminVariantRow{SKU: strings.TrimSpace(field(skus[i], 100)), Name: field(at(names, i), 200), Price: strings.TrimSpace(field(at(prices, i), 40))}
		if row.SKU == "" && row.Name == "" && row.Price == "" {
			continue
		}
		f.Variants = append(f.Variants, row)
		amount, err := parseAmount(row.Price, s.Currency)
		if err != nil {
			if f.Errors == nil {
				f.Errors = fieldErrors{}
			}
			f.Errors[fmt.Sprintf("variants[%d].price", len(d.Variants))] = "This " + err.Error() + "."
			ok = false
		}
		d.Variants = append(d.Variants, catalog.VariantDraft{SKU: row.SKU, Name: row.Name, Price: money.Money{Amount: amount, Currency: s.Currency}})
	}
	if !ok {
		f.Message = "Please correct the fields marked below."
	}
	return f, d, ok
}

func at(vs []string, i int) string {
	if i < len(vs) {
		return vs[i]
	}
	return ""
}

// parseAmount reads a price as people type it ("19.99", "1,299", "5") into
// minor units of currency.
func parseAmount(s, currency string) (int64, error) {
	digits := 2
	if currency == "JPY" || currency == "KRW" {
		digits = 0
	}
	s = strings.ReplaceAll(s, ",", "")
	whole, frac, hasFrac := strings.Cut(s, ".")
	if whole == "" || len(whole) > 12 || (hasFrac && (len(frac) == 0 || len(frac) > digits)) {
		return 0, errAmount
	}
	for len(frac) < digits {
		frac += "0"
	}
	w, err := strconv.ParseUint(whole, 10, 64)
	if err != nil {
		return 0, errAmount
	}
	n := int64(w)
	for range digits {
		n *= 10
	}
	if frac != "" {
		f, err := strconv.ParseUint(frac, 10, 64)
		if err != nil {
			return 0, errAmount
		}
		n += int64(f)
	}
	return n, nil
}

type amountError struct{}

func (amountError) Error() string { return "price must be an amount such as 19.99" }

var errAmount error = amountError{}
