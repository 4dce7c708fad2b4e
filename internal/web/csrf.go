package web

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
)

// csrfField is the form field that carries the token.
const csrfField = "csrf"

// csrfToken derives the form token from the session token: no storage, and
// it changes whenever the session does (sign-in mints a new token), so a
// token seen before sign-in is no use after it.
func (s *Server) csrfToken(sessionToken string) string {
	if sessionToken == "" {
		return ""
	}
	m := hmac.New(sha256.New, s.csrfKey)
	m.Write([]byte(sessionToken))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil)[:24])
}

// validCSRF checks a submitted form's token against the visitor's session.
// The form must already be parsed.
func (s *Server) validCSRF(r *http.Request, v visitor) bool {
	want := s.csrfToken(v.token)
	got := r.PostForm.Get(csrfField)
	return want != "" && hmac.Equal([]byte(got), []byte(want))
}

// crossOriginDenied answers a request that CrossOriginProtection refused: a
// form posted from another site.
func (s *Server) crossOriginDenied(w http.ResponseWriter, r *http.Request) {
	s.errorPage(w, r, http.StatusForbidden, "This form was sent from another site",
		"For your safety we only accept forms sent from this shop's own pages. Go back, reload the page and try again.")
}

// formExpired answers a form whose CSRF token does not match, most often a
// page left open across a sign-in or sign-out.
func (s *Server) formExpired(w http.ResponseWriter, r *http.Request) {
	s.errorPage(w, r, http.StatusForbidden, "This form has expired",
		"The page was open for a while, or you signed in or out in another tab. Reload the page and send the form again.")
}
