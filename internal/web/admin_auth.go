package web

import (
	"net/http"
	"net/url"
	"time"

	"github.com/peakshop/peakshop/internal/domain/account"
	"github.com/peakshop/peakshop/internal/domain/apperr"
)

// adminRequest is a request that passed both gates: the visitor (for the
// CSRF token and the header) and the administrator's state.
type adminRequest struct {
	v  visitor
	st account.AdminState
}

// page wraps admin content in the shared layout, private and unindexed.
func (a adminRequest) page(s *Server, title string, data any) page {
	return page{Title: title + " · admin", NoIndex: true, CSRF: s.csrfToken(a.v.token), Visitor: a.v.view(), Data: data}
}

// requireAdmin lets through only a session of an administrator that passed
// TOTP. Guests go to sign in; an administrator who has not passed TOTP in
// this session goes to the code step; anyone else gets the 404 page, so the
// console does not advertise itself to customers. Unsafe requests also need
// the session's CSRF token (the form is parsed here).
func (s *Server) requireAdmin(next func(http.ResponseWriter, *http.Request, adminRequest)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		v, err := s.visitor(r)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		if !v.sess.SignedIn() {
			http.Redirect(w, r, "/account/signin?next="+url.QueryEscape(r.URL.Path), http.StatusSeeOther)
			return
		}
		st, err := s.Admin.Admins.State(r.Context(), v.sess.ID)
		if err != nil && !apperr.Is(err, apperr.NotFound) {
			s.fail(w, r, err)
			return
		}
		switch {
		case st.Role == account.RoleAdmin && !st.Enrolled && s.Admin.TOTP != nil:
			http.Redirect(w, r, "/admin/enrol", http.StatusSeeOther)
			return
		case st.Role != account.RoleAdmin || !st.Enrolled:
			s.adminNotFound(w, r)
			return
		case !st.SecondFactor:
			http.Redirect(w, r, "/admin/verify", http.StatusSeeOther)
			return
		}
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			if !s.parseForm(w, r) {
				return
			}
			if !s.validCSRF(r, v) {
				s.formExpired(w, r)
				return
			}
		}
		next(w, r, adminRequest{v: v, st: st})
	}
}

type adminVerifyData struct {
	Errors  fieldErrors
	Message string
}

// adminVerifyPage serves GET /admin/verify, the TOTP step after the
// password. Only a password-signed-in administrator sees the form.
func (s *Server) adminVerifyPage(w http.ResponseWriter, r *http.Request) {
	v, st, ok := s.adminPending(w, r)
	if !ok {
		return
	}
	if st.SecondFactor {
		http.Redirect(w, r, "/admin", http.StatusSeeOther)
		return
	}
	s.showAdminVerify(w, r, v, http.StatusOK, adminVerifyData{})
}

func (s *Server) showAdminVerify(w http.ResponseWriter, r *http.Request, v visitor, status int, d adminVerifyData) {
	s.writePrivate(w, r, status, "admin_verify", page{Title: "Two-step check", NoIndex: true, CSRF: s.csrfToken(v.token), Visitor: v.view(), Data: d})
}

// adminVerify handles POST /admin/verify: a right code replaces the session
// with a second-factor session (new token, shorter life).
func (s *Server) adminVerify(w http.ResponseWriter, r *http.Request) {
	if !s.parseForm(w, r) {
		return
	}
	v, _, ok := s.adminPending(w, r)
	if !ok {
		return
	}
	if !s.validCSRF(r, v) {
		s.formExpired(w, r)
		return
	}
	token, err := s.Admin.Admins.VerifyTOTP(r.Context(), v.token, field(r.PostForm.Get("code"), 20))
	if err != nil {
		if statusOf(err) >= 500 && !apperr.Is(err, apperr.Unavailable) {
			s.fail(w, r, err)
			return
		}
		var d adminVerifyData
		d.Errors, d.Message = formErrors(err)
		s.showAdminVerify(w, r, v, statusOf(err), d)
		return
	}
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: token, Path: "/", MaxAge: int(s.Admin.Admins.SessionTTL() / time.Second),
		HttpOnly: true, Secure: s.secure(r), SameSite: http.SameSiteLaxMode})
	http.Redirect(w, r, "/admin", http.StatusSeeOther)
}

// adminPending reads the session of an administrator on the way to the
// console; it answers the request itself (sign in, or 404) when there is none.
func (s *Server) adminPending(w http.ResponseWriter, r *http.Request) (visitor, account.AdminState, bool) {
	v, err := s.visitor(r)
	if err != nil {
		s.fail(w, r, err)
		return v, account.AdminState{}, false
	}
	if !v.sess.SignedIn() {
		http.Redirect(w, r, "/account/signin?next=/admin", http.StatusSeeOther)
		return v, account.AdminState{}, false
	}
	st, err := s.Admin.Admins.State(r.Context(), v.sess.ID)
	if err != nil && !apperr.Is(err, apperr.NotFound) {
		s.fail(w, r, err)
		return v, st, false
	}
	if st.Role == account.RoleAdmin && !st.Enrolled && s.Admin.TOTP != nil {
		http.Redirect(w, r, "/admin/enrol", http.StatusSeeOther)
		return v, st, false
	}
	if st.Role != account.RoleAdmin || !st.Enrolled {
		s.adminNotFound(w, r)
		return v, st, false
	}
	return v, st, true
}

// adminNotFound answers a visitor who may not see the console as if it did
// not exist, but privately: the storefront's 404 page is shared-cache
// material, and an edge keeping a customer's 404 for /admin would serve it
// to the administrator after them.
func (s *Server) adminNotFound(w http.ResponseWriter, r *http.Request) {
	s.errorPage(w, r, http.StatusNotFound, "Page not found", "There is no page at this address.")
}
