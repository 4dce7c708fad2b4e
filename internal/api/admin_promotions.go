package api

import (
	"net/http"
	"strconv"

	"github.com/peakshop/peakshop/internal/domain/promo"
	"github.com/peakshop/peakshop/internal/platform/jsonbody"
)

// Promotions and coupons for the admin. A promotion changes what every cart
// shows, so writes purge the storefront's cached pages; coupons only act at
// checkout and need no purge.

type promotionList struct {
	Items []promo.Promotion `json:"items"`
}

type couponList struct {
	Items []promo.Coupon `json:"items"`
}

func (s *Server) createPromotion(w http.ResponseWriter, r *http.Request) {
	var p promo.Promotion
	if err := jsonbody.Decode(w, r, &p, 4<<10); err != nil {
		writeError(w, r, err, s.Logger)
		return
	}
	p.ID = 0
	p, err := s.Promos.CreatePromotion(r.Context(), p)
	if err != nil {
		writeError(w, r, err, s.Logger)
		return
	}
	s.promotionsChanged()
	w.Header().Set("Location", "/api/v1/admin/promotions/"+strconv.FormatInt(p.ID, 10))
	writeJSON(w, http.StatusCreated, p)
}

func (s *Server) listPromotions(w http.ResponseWriter, r *http.Request) {
	ps, err := s.Promos.Promotions(r.Context(), s.Now())
	if err != nil {
		writeError(w, r, err, s.Logger)
		return
	}
	writeJSON(w, http.StatusOK, promotionList{Items: ps})
}

func (s *Server) deletePromotion(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		writeError(w, r, notFound("no such promotion"), s.Logger)
		return
	}
	if err := s.Promos.DeletePromotion(r.Context(), id); err != nil {
		writeError(w, r, err, s.Logger)
		return
	}
	s.promotionsChanged()
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) createCoupon(w http.ResponseWriter, r *http.Request) {
	var c promo.Coupon
	if err := jsonbody.Decode(w, r, &c, 4<<10); err != nil {
		writeError(w, r, err, s.Logger)
		return
	}
	c, err := s.Promos.CreateCoupon(r.Context(), c)
	if err != nil {
		writeError(w, r, err, s.Logger)
		return
	}
	w.Header().Set("Location", "/api/v1/admin/coupons/"+c.Code)
	writeJSON(w, http.StatusCreated, c)
}

func (s *Server) listCoupons(w http.ResponseWriter, r *http.Request) {
	cs, err := s.Promos.Coupons(r.Context())
	if err != nil {
		writeError(w, r, err, s.Logger)
		return
	}
	writeJSON(w, http.StatusOK, couponList{Items: cs})
}

func (s *Server) deleteCoupon(w http.ResponseWriter, r *http.Request) {
	code := promo.NormalizeCode(r.PathValue("code"))
	if !promo.ValidCode(code) {
		writeError(w, r, notFound("no such coupon"), s.Logger)
		return
	}
	if err := s.Promos.DeleteCoupon(r.Context(), code); err != nil {
		writeError(w, r, err, s.Logger)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// promotionsChanged drops cached pages that show prices: carts are never
// cached, but listings may show a sale.
func (s *Server) promotionsChanged() {
	if s.Purge != nil {
		s.Purge("catalog", "storefront")
	}
}
