package web

import (
	"errors"
	"net/http"

	"github.com/peakshop/peakshop/internal/domain/account"
	"github.com/peakshop/peakshop/internal/domain/apperr"
)

type signInData struct {
	Email   string
	Next    string
	Errors  fieldErrors
	Message string
}

// signInPage serves GET /account/signin.
func (s *Server) signInPage(w http.ResponseWriter, r *http.Request) {
	v, err := s.visitor(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	next := safeNext(r.URL.Query().Get("next"))
	if v.sess.SignedIn() {
		http.Redirect(w, r, next, http.StatusSeeOther)
		return
	}
	s.showSignIn(w, r, &v, http.StatusOK, signInData{Next: next})
}

func (s *Server) showSignIn(w http.ResponseWriter, r *http.Request, v *visitor, status int, d signInData) {
	s.ensureToken(w, r, v)
	s.writePrivate(w, r, status, "signin", page{Title: "Sign in", NoIndex: true, CSRF: s.csrfToken(v.token), Visitor: v.view(), Data: d})
}

// signIn handles POST /account/signin. A guest cart comes along into the
// account's cart; the session token changes, so whoever saw the old one
// (a shared computer, a fixation attempt) holds nothing.
func (s *Server) signIn(w http.ResponseWriter, r *http.Request) {
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
	d := signInData{Email: field(r.PostForm.Get("email"), 300), Next: safeNext(r.PostForm.Get("next"))}
	token, _, err := s.Accounts.SignIn(r.Context(), account.Credentials{Email: d.Email, Password: field(r.PostForm.Get("password"), 2*account.MaxPasswordLen),
		IP: s.ClientIP(r)}, v.sess)
	if err != nil {
		if statusOf(err) >= 500 && !apperr.Is(err, apperr.Unavailable) {
			s.fail(w, r, err)
			return
		}
		d.Errors, d.Message = formErrors(err)
		s.showSignIn(w, r, &v, statusOf(err), d)
		return
	}
	s.setSessionCookie(w, r, token)
	http.Redirect(w, r, d.Next, http.StatusSeeOther)
}

// formErrors splits an error into messages beside fields and one above the
// form.
func formErrors(err error) (fieldErrors, string) {
	var errs fieldErrors
	var e *apperr.Error
	if errors.As(err, &e) {
		for _, f := range e.Fields {
			if errs == nil {
				errs = fieldErrors{}
			}
			errs[f.Field] = "This " + f.Reason + "."
		}
	}
	if len(errs) > 0 {
		return errs, "Please correct the fields marked below."
	}
	return nil, messageOf(err)
}
