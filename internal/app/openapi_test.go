package app_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/peakshop/peakshop/internal/api"
)

// The OpenAPI document lists exactly the routes the API serves...
func TestOpenAPIMatchesRoutes(t *testing.T) {
	var doc struct {
		OpenAPI string                               `json:"openapi"`
		Paths   map[string]map[string]map[string]any `json:"paths"`
	}
	if err := json.Unmarshal(api.OpenAPI(), &doc); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(doc.OpenAPI, "3.1") {
		t.Fatalf("openapi %q, want 3.1.x", doc.OpenAPI)
	}
	var inDoc, served []string
	for path, ops := range doc.Paths {
		for method := range ops {
			inDoc = append(inDoc, strings.ToUpper(method)+" "+path)
		}
	}
	for _, r := range (&api.Server{}).Routes() {
		served = append(served, r.Method+" "+r.Path)
	}
	sort.Strings(inDoc)
	sort.Strings(served)
	if strings.Join(inDoc, "\n") != strings.Join(served, "\n") {
		t.Fatalf("OpenAPI paths and routes differ:\ndocument:\n%s\n\nserved:\n%s", strings.Join(inDoc, "\n"), strings.Join(served, "\n"))
	}
}

// ...and real responses validate against its schemas.
func TestResponsesMatchOpenAPISchemas(t *testing.T) {
	s := startShop(t, engines(t)["sqlite"](t))
	validate := schemaValidator(t)
	p := s.addProduct("schema-bike", 19900, 4, 0)
	sku := p.Variants[0].SKU
	cart := s.newCart(map[string]int{sku: 1})
	created := s.do("POST", "/api/v1/checkout", checkoutBody(cart, "tok_visa"), "Idempotency-Key", "schema-1")
	var c struct {
		OrderID     string `json:"order_id"`
		AccessToken string `json:"access_token"`
	}
	created.decode(t, &c)
	cart2 := s.newCart(map[string]int{p.Variants[1].SKU: 1})

	checks := []struct {
		schema string
		r      response
		want   int
	}{
		{"ProductPage", s.do("GET", "/api/v1/products?limit=1", nil), 200},
		{"Product", s.do("GET", fmt.Sprintf("/api/v1/products/%d", p.ID), nil), 200},
		{"Product", s.do("GET", "/api/v1/products/schema-bike", nil), 200},
		{"CategoryList", s.do("GET", "/api/v1/categories", nil), 200},
		{"Cart", s.do("POST", "/api/v1/carts", nil), 201},
		{"Cart", s.do("GET", "/api/v1/carts/"+cart, nil), 200},
		{"CheckoutCreated", created, 201},
		{"Problem", s.do("POST", "/api/v1/checkout", checkoutBody(cart2, "tok_visa"), "Idempotency-Key", "schema-2"), 409},
		{"Order", s.do("GET", "/api/v1/orders/"+c.OrderID, nil, "Authorization", "Bearer "+c.AccessToken), 200},
		{"OrderPage", s.admin("GET", "/api/v1/admin/orders", nil), 200},
		{"Variant", s.admin("PUT", "/api/v1/admin/inventory/"+sku, map[string]int{"available": 7}), 200},
		{"Problem", s.do("GET", "/api/v1/products/999999", nil), 404},
		{"Status", s.do("GET", "/healthz", nil), 200},
		{"Status", s.do("GET", "/readyz", nil), 200},
	}
	for _, ch := range checks {
		if ch.r.Status != ch.want {
			t.Errorf("%s: status %d, want %d: %s", ch.schema, ch.r.Status, ch.want, ch.r.Body)
			continue
		}
		if err := validate(ch.schema, ch.r.Body); err != nil {
			t.Errorf("%s does not match its schema: %v\n%s", ch.schema, err, ch.r.Body)
		}
	}
}

// schemaValidator compiles the document's component schemas.
func schemaValidator(t *testing.T) func(schema string, body []byte) error {
	t.Helper()
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(api.OpenAPI()))
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft2020)
	if err := c.AddResource("openapi.json", doc); err != nil {
		t.Fatal(err)
	}
	cache := map[string]*jsonschema.Schema{}
	name := regexp.MustCompile(`^[A-Za-z]+$`)
	return func(schema string, body []byte) error {
		if !name.MatchString(schema) {
			return fmt.Errorf("bad schema name %q", schema)
		}
		sch, ok := cache[schema]
		if !ok {
			var err error
			if sch, err = c.Compile("openapi.json#/components/schemas/" + schema); err != nil {
				return err
			}
			cache[schema] = sch
		}
		v, err := jsonschema.UnmarshalJSON(bytes.NewReader(body))
		if err != nil {
			return err
		}
		return sch.Validate(v)
	}
}

var _ = http.StatusOK
