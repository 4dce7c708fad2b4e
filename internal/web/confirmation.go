package web

import "net/http"

// confirmation serves /orders/{id}/confirmation, where a placed order lands:
// thanks, what was bought, where it goes, and the link to follow it.
func (s *Server) confirmation(w http.ResponseWriter, r *http.Request) {
	o, v, ok := s.readableOrder(w, r)
	if !ok {
		return
	}
	s.writePrivate(w, r, http.StatusOK, "confirmation", page{Title: "Thank you for your order", NoIndex: true,
		Visitor: v.view(), Data: o})
}
