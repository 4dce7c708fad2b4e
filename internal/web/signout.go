package web

import "net/http"

// signOut handles POST /account/signout: the session ends on the server,
// not just in this browser.
func (s *Server) signOut(w http.ResponseWriter, r *http.Request) {
	if !s.parseForm(w, r) {
		return
	}
	v, err := s.visitor(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if !s.validCSRF(r, v) {
		s.formExpired(w, r)
		return
	}
	if err := s.Accounts.SignOut(r.Context(), v.token); err != nil {
		s.fail(w, r, err)
		return
	}
	s.clearSessionCookie(w, r)
	http.Redirect(w, r, "/", http.StatusSeeOther)
}
