package web

import (
	"net/http"

	"github.com/peakshop/peakshop/internal/domain/account"
)

type signUpData struct {
	Email   string
	Name    string
	Errors  fieldErrors
	Message string
}

// signUpPage serves GET /account/signup.
func (s *Server) signUpPage(w http.ResponseWriter, r *http.Request) {
	v, err := s.visitor(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if v.sess.SignedIn() {
		http.Redirect(w, r, "/account", http.StatusSeeOther)
		return
	}
	s.showSignUp(w, r, &v, http.StatusOK, signUpData{})
}

func (s *Server) showSignUp(w http.ResponseWriter, r *http.Request, v *visitor, status int, d signUpData) {
	s.ensureToken(w, r, v)
	s.writePrivate(w, r, status, "signup", page{Title: "Create an account", NoIndex: true, CSRF: s.csrfToken(v.token), Visitor: v.view(), Data: d})
}

// signUp handles POST /account/signup: opens the account and signs it in,
// keeping the guest's cart.
func (s *Server) signUp(w http.ResponseWriter, r *http.Request) {
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
	d := signUpData{Email: field(r.PostForm.Get("email"), 300), Name: field(r.PostForm.Get("name"), 300)}
	token, _, err := s.Accounts.SignUp(r.Context(), account.SignUp{Email: d.Email, Name: d.Name,
		Password: field(r.PostForm.Get("password"), 2*account.MaxPasswordLen)}, v.sess)
	if err != nil {
		if statusOf(err) >= 500 {
			s.fail(w, r, err)
			return
		}
		d.Errors, d.Message = formErrors(err)
		s.showSignUp(w, r, &v, statusOf(err), d)
		return
	}
	s.setSessionCookie(w, r, token)
	http.Redirect(w, r, "/account", http.StatusSeeOther)
}
