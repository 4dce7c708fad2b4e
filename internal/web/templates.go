package web

import (
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"strconv"
	"strings"
	"time"

	"github.com/peakshop/peakshop/internal/domain/money"
)

//go:embed templates/*.html
var templateFiles embed.FS

// pages holds one parsed template set per page: the layout and partials
// plus the page's own file, parsed once in New.
type pages struct {
	byName map[string]*template.Template
}

// The files every page shares.
const (
	layoutFile   = "templates/layout.html"
	partialsFile = "templates/partials.html"
)

func parsePages(a *assets, loc *time.Location) (*pages, error) {
	funcs := template.FuncMap{
		"asset":      a.url,
		"price":      formatMoney,
		"imageURL":   imageURL,
		"imageSet":   imageSrcset,
		"stockNote":  stockNote,
		"date":       func(t time.Time) string { return t.In(loc).Format("2 Jan 2006, 15:04 MST") },
		"status":     statusLabel,
		"add":        func(a, b int) int { return a + b },
		"input":      newInput,
		"stockBadge": newStockBadge,
	}
	base, err := template.New("layout").Funcs(funcs).ParseFS(templateFiles, layoutFile, partialsFile)
	if err != nil {
		return nil, err
	}
	names, err := fs.Glob(templateFiles, "templates/*.html")
	if err != nil {
		return nil, err
	}
	p := &pages{byName: map[string]*template.Template{}}
	for _, f := range names {
		if f == layoutFile || f == partialsFile {
			continue
		}
		t, err := template.Must(base.Clone()).ParseFS(templateFiles, f)
		if err != nil {
			return nil, err
		}
		p.byName[strings.TrimSuffix(strings.TrimPrefix(f, "templates/"), ".html")] = t
	}
	return p, nil
}

// inputField feeds the "field" partial: a labelled input with its hint and
// its error, tied together with aria-describedby.
type inputField struct {
	Name, Label, Value, Type, Auto, Err, Hint string
	Required                                  bool
	Max                                       int
	List                                      string
}

func newInput(name, label, value, typ, auto, err, hint string, required bool, max int) inputField {
	return inputField{Name: name, Label: label, Value: value, Type: typ, Auto: auto, Err: err, Hint: hint, Required: required, Max: max}
}

// stockBadge feeds the "badge" partial; OOB marks it for htmx's
// out-of-band swap when the stock fragment refreshes it.
type stockBadge struct {
	Index int
	Out   bool
	Low   bool
	Note  string
	OOB   bool
}

func newStockBadge(i int, v variantView, oob bool) stockBadge {
	return stockBadge{Index: i, Out: v.Out, Low: v.Low, Note: v.Note, OOB: oob}
}

// formatMoney shows an amount the way shoppers read it: "$1,299.00".
// Currencies without minor units (JPY, KRW) print none.
func formatMoney(m money.Money) string {
	digits := 2
	if m.Currency == "JPY" || m.Currency == "KRW" {
		digits = 0
	}
	a := m.Amount
	neg := a < 0
	if neg {
		a = -a
	}
	div := int64(1)
	for range digits {
		div *= 10
	}
	whole := strconv.FormatInt(a/div, 10)
	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	sym, suffix := currencySymbol(m.Currency)
	b.WriteString(sym)
	for i, c := range whole {
		if i > 0 && (len(whole)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if digits > 0 {
		fmt.Fprintf(&b, ".%0*d", digits, a%div)
	}
	b.WriteString(suffix)
	return b.String()
}

func currencySymbol(code string) (prefix, suffix string) {
	switch code {
	case "USD":
		return "$", ""
	case "EUR":
		return "€", ""
	case "GBP":
		return "£", ""
	case "JPY":
		return "¥", ""
	}
	return "", " " + code
}

// decimalPrice is an amount as schema.org wants it: "19.99".
func decimalPrice(m money.Money) string {
	s := formatMoney(money.Money{Amount: m.Amount, Currency: "XXX"})
	return strings.ReplaceAll(strings.TrimSuffix(s, " XXX"), ",", "")
}

// Low-stock threshold: below it the exact count is worth showing.
const lowStock = 5

// stockNote is the badge text for a variant's stock.
func stockNote(available int) string {
	switch {
	case available <= 0:
		return "Out of stock"
	case available <= lowStock:
		return "Only " + strconv.Itoa(available) + " left"
	}
	return "In stock"
}

func statusLabel(s string) string {
	switch s {
	case "pending_payment":
		return "Waiting for payment"
	case "paid":
		return "Paid, being prepared"
	case "payment_declined":
		return "Payment declined"
	case "payment_failed":
		return "Payment failed"
	case "cancelled":
		return "Cancelled"
	case "shipped":
		return "Shipped"
	case "delivered":
		return "Delivered"
	}
	return strings.ReplaceAll(s, "_", " ")
}
