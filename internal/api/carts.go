package api

import (
	"net/http"

	"github.com/peakshop/peakshop/internal/domain/cart"
	"github.com/peakshop/peakshop/internal/domain/catalog"
	"github.com/peakshop/peakshop/internal/platform/ids"
	"github.com/peakshop/peakshop/internal/platform/jsonbody"
)

func (s *Server) createCart(w http.ResponseWriter, r *http.Request) {
	id := ids.New("cart", s.Now())
	if err := s.Carts.CreateCart(r.Context(), id, s.Now()); err != nil {
		writeError(w, r, err, s.Logger)
		return
	}
	s.writeCart(w, r, id, http.StatusCreated)
}

func (s *Server) getCart(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	if !ids.Valid("cart", id) {
		writeError(w, r, notFound("no such cart"), s.Logger)
		return
	}
	s.writeCart(w, r, id, http.StatusOK)
}

type quantityBody struct {
	Quantity *int `json:"quantity"`
}

func (s *Server) setCartItem(w http.ResponseWriter, r *http.Request) {
	id, sku := r.PathValue("id"), r.PathValue("sku")
	if !ids.Valid("cart", id) {
		writeError(w, r, notFound("no such cart"), s.Logger)
		return
	}
	if !catalog.ValidSKU(sku) {
		writeError(w, r, notFound("no such SKU"), s.Logger)
		return
	}
	var body quantityBody
	if err := jsonbody.Decode(w, r, &body, 1<<10); err != nil {
		writeError(w, r, err, s.Logger)
		return
	}
	if body.Quantity == nil || *body.Quantity < 0 || *body.Quantity > cart.MaxQuantity {
		writeError(w, r, invalidField("quantity", "must be a whole number from 0 (remove) to 100"), s.Logger)
		return
	}
	if err := s.Carts.SetQuantity(r.Context(), id, sku, *body.Quantity, s.Now()); err != nil {
		writeError(w, r, err, s.Logger)
		return
	}
	s.writeCart(w, r, id, http.StatusOK)
}

func (s *Server) writeCart(w http.ResponseWriter, r *http.Request, id string, status int) {
	c, err := s.Carts.Cart(r.Context(), id)
	if err == nil {
		err = c.Tally(s.Currency)
	}
	if err != nil {
		writeError(w, r, err, s.Logger)
		return
	}
	writeJSON(w, status, c)
}
