package api

import (
	"net/http"
	"strconv"

	"github.com/peakshop/peakshop/internal/domain/catalog"
	"github.com/peakshop/peakshop/internal/domain/order"
	"github.com/peakshop/peakshop/internal/platform/ids"
	"github.com/peakshop/peakshop/internal/platform/jsonbody"
	"github.com/peakshop/peakshop/internal/platform/problem"
)

func (s *Server) requireAdmin(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if t := bearer(r); t == "" || !s.IsAdmin(t) {
			w.Header().Set("WWW-Authenticate", `Bearer realm="peakshop-admin"`)
			problem.Write(w, problem.New(http.StatusUnauthorized, "send the admin token as Authorization: Bearer <token>"))
			return
		}
		next(w, r)
	}
}

// catalogChanged drops what caches hold of the catalog after an admin write:
// this instance's product cache, and through Deps.Purge the edge's and the
// storefront's copies tagged with the product (or the whole catalog when a
// stock level changed, since the SKU's product is not at hand: rare enough).
func (s *Server) catalogChanged(productID int64) {
	s.products.clear()
	if s.Purge == nil {
		return
	}
	if productID == 0 {
		s.Purge("catalog", "storefront")
		return
	}
	s.Purge("catalog", "product-"+strconv.FormatInt(productID, 10))
}

type inventoryBody struct {
	Available *int `json:"available"`
}

func (s *Server) setInventory(w http.ResponseWriter, r *http.Request) {
	sku := r.PathValue("sku")
	if !catalog.ValidSKU(sku) {
		writeError(w, r, notFound("no such SKU"), s.Logger)
		return
	}
	var body inventoryBody
	if err := jsonbody.Decode(w, r, &body, 1<<10); err != nil {
		writeError(w, r, err, s.Logger)
		return
	}
	if body.Available == nil || *body.Available < 0 || *body.Available > catalog.MaxStock {
		writeError(w, r, invalidField("available", "must be a whole number from 0 to 1000000000"), s.Logger)
		return
	}
	v, err := s.Catalog.SetAvailable(r.Context(), sku, *body.Available)
	if err != nil {
		writeError(w, r, err, s.Logger)
		return
	}
	s.catalogChanged(0)
	writeJSON(w, http.StatusOK, v)
}

func (s *Server) createProduct(w http.ResponseWriter, r *http.Request) {
	d, ok := s.decodeDraft(w, r)
	if !ok {
		return
	}
	p, err := s.Catalog.CreateProduct(r.Context(), d)
	if err != nil {
		writeError(w, r, err, s.Logger)
		return
	}
	s.catalogChanged(p.ID)
	w.Header().Set("Location", "/api/v1/products/"+strconv.FormatInt(p.ID, 10))
	writeJSON(w, http.StatusCreated, p)
}

func (s *Server) updateProduct(w http.ResponseWriter, r *http.Request) {
	id, ok := s.productID(w, r)
	if !ok {
		return
	}
	d, ok := s.decodeDraft(w, r)
	if !ok {
		return
	}
	p, err := s.Catalog.UpdateProduct(r.Context(), id, d)
	if err != nil {
		writeError(w, r, err, s.Logger)
		return
	}
	s.catalogChanged(id)
	writeJSON(w, http.StatusOK, p)
}

func (s *Server) deleteProduct(w http.ResponseWriter, r *http.Request) {
	id, ok := s.productID(w, r)
	if !ok {
		return
	}
	if err := s.Catalog.DeleteProduct(r.Context(), id); err != nil {
		writeError(w, r, err, s.Logger)
		return
	}
	s.catalogChanged(id)
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) productID(w http.ResponseWriter, r *http.Request) (int64, bool) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		writeError(w, r, notFound("no such product"), s.Logger)
		return 0, false
	}
	return id, true
}

func (s *Server) decodeDraft(w http.ResponseWriter, r *http.Request) (catalog.Draft, bool) {
	var d catalog.Draft
	err := jsonbody.Decode(w, r, &d, 256<<10)
	if err == nil {
		err = d.Validate(s.Currency)
	}
	if err != nil {
		writeError(w, r, err, s.Logger)
		return d, false
	}
	return d, true
}

type orderPage struct {
	Items      []orderView `json:"items"`
	NextCursor string      `json:"next_cursor"`
}

func (s *Server) listOrders(w http.ResponseWriter, r *http.Request) {
	v := r.URL.Query()
	q := order.Query{Status: order.Status(v.Get("status")), Limit: 50, Before: v.Get("cursor")}
	switch q.Status {
	case "", order.PendingPayment, order.Paid, order.PaymentDeclined, order.PaymentFailed, order.Cancelled:
	default:
		writeError(w, r, invalidField("status", "must be one of pending_payment, paid, payment_declined, payment_failed, cancelled"), s.Logger)
		return
	}
	if q.Before != "" && !ids.Valid("ord", q.Before) {
		writeError(w, r, invalidField("cursor", "is not a cursor this API gave out"), s.Logger)
		return
	}
	if l := v.Get("limit"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil || n < 1 || n > 200 {
			writeError(w, r, invalidField("limit", "must be a whole number from 1 to 200"), s.Logger)
			return
		}
		q.Limit = n
	}
	want := q.Limit
	q.Limit++
	orders, err := s.Orders.Orders(r.Context(), q)
	if err != nil {
		writeError(w, r, err, s.Logger)
		return
	}
	page := orderPage{Items: make([]orderView, 0, len(orders))}
	if len(orders) > want {
		orders = orders[:want]
		page.NextCursor = orders[want-1].ID
	}
	for _, o := range orders {
		page.Items = append(page.Items, viewOf(o))
	}
	writeJSON(w, http.StatusOK, page)
}
