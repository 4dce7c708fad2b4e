package web

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"html/template"
	"image/png"
	"net/http"
	"time"

	"github.com/pquerna/otp"

	"github.com/peakshop/peakshop/internal/domain/account"
	"github.com/peakshop/peakshop/internal/domain/apperr"
)

// TOTP enrolment in the browser (/admin/enrol): an administrator without a
// second factor is sent here after the password; one who passed TOTP may
// come here to move to a new authenticator app. The page shows a fresh
// secret (text, otpauth:// link and QR code) and asks for a current code;
// only a right code stores it (account.Admins.ConfirmEnrolment). The secret
// travels in the form, with a MAC binding it to this session, so nothing
// half-made is ever stored and no other session can submit it.

type adminEnrolData struct {
	Secret, MAC string
	// URI is the otpauth:// link; QR is data:image/png;base64,... (empty
	// if it could not be drawn). Both are made here, never typed in.
	URI, QR   template.URL
	Replacing bool
	Errors    fieldErrors
	Message   string
}

// enrolMAC binds a secret offered on the page to the session it was offered to.
func (s *Server) enrolMAC(sessionToken, secret string) string {
	m := hmac.New(sha256.New, s.csrfKey)
	m.Write([]byte("totp-enrol\x00" + sessionToken + "\x00" + secret))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// enrolVisitor reads the visitor and answers the request itself when it
// may not enrol: guests sign in first, others get the private 404.
func (s *Server) enrolVisitor(w http.ResponseWriter, r *http.Request) (visitor, account.AdminState, bool) {
	v, err := s.visitor(r)
	if err != nil {
		s.fail(w, r, err)
		return v, account.AdminState{}, false
	}
	if !v.sess.SignedIn() {
		http.Redirect(w, r, "/account/signin?next=/admin/enrol", http.StatusSeeOther)
		return v, account.AdminState{}, false
	}
	st, err := s.Admin.Admins.EnrolState(r.Context(), v.token)
	if err != nil {
		if errors.Is(err, account.ErrEnrolNotAllowed) {
			s.adminNotFound(w, r)
		} else {
			s.fail(w, r, err)
		}
		return v, st, false
	}
	return v, st, true
}

// adminEnrolPage serves GET /admin/enrol with a fresh secret.
func (s *Server) adminEnrolPage(w http.ResponseWriter, r *http.Request) {
	v, st, ok := s.enrolVisitor(w, r)
	if !ok {
		return
	}
	enr, err := s.Admin.Admins.BeginEnrolment(r.Context(), v.token)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.showEnrol(w, r, v, http.StatusOK, s.enrolData(v, st, enr.Secret, enr.URI))
}

func (s *Server) enrolData(v visitor, st account.AdminState, secret, uri string) adminEnrolData {
	d := adminEnrolData{Secret: secret, URI: template.URL(uri), MAC: s.enrolMAC(v.token, secret), Replacing: st.Enrolled}
	if k, err := otp.NewKeyFromURL(uri); err == nil {
		if img, err := k.Image(240, 240); err == nil {
			var buf bytes.Buffer
			if png.Encode(&buf, img) == nil {
				d.QR = template.URL("data:image/png;base64," + base64.StdEncoding.EncodeToString(buf.Bytes()))
			}
		}
	}
	return d
}

func (s *Server) showEnrol(w http.ResponseWriter, r *http.Request, v visitor, status int, d adminEnrolData) {
	s.writePrivate(w, r, status, "admin_enrol", page{Title: "Set up two-step sign-in", NoIndex: true, CSRF: s.csrfToken(v.token), Visitor: v.view(), Data: d})
}

// adminEnrol handles POST /admin/enrol: a right code for the offered
// secret stores it and replaces the session with a second-factor one.
func (s *Server) adminEnrol(w http.ResponseWriter, r *http.Request) {
	if !s.parseForm(w, r) {
		return
	}
	v, st, ok := s.enrolVisitor(w, r)
	if !ok {
		return
	}
	if !s.validCSRF(r, v) {
		s.formExpired(w, r)
		return
	}
	secret := field(r.PostForm.Get("secret"), 128)
	if !hmac.Equal([]byte(r.PostForm.Get("mac")), []byte(s.enrolMAC(v.token, secret))) {
		// Not a secret this page offered to this session: offer a new one.
		enr, err := s.Admin.Admins.BeginEnrolment(r.Context(), v.token)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		d := s.enrolData(v, st, enr.Secret, enr.URI)
		d.Message = "This page had expired, so here is a new secret. Add it to your app and enter its code."
		s.showEnrol(w, r, v, http.StatusUnprocessableEntity, d)
		return
	}
	token, err := s.Admin.Admins.ConfirmEnrolment(r.Context(), s.Admin.TOTP, v.token, secret, field(r.PostForm.Get("code"), 20))
	if err != nil {
		if statusOf(err) >= 500 && !apperr.Is(err, apperr.Unavailable) {
			s.fail(w, r, err)
			return
		}
		enr, uerr := s.Admin.Admins.EnrolmentOf(st.Email, secret)
		if uerr != nil {
			enr.Secret = secret // the MAC vouches for it; show it as it came
		}
		d := s.enrolData(v, st, enr.Secret, enr.URI)
		d.Errors, d.Message = formErrors(err)
		s.showEnrol(w, r, v, statusOf(err), d)
		return
	}
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: token, Path: "/", MaxAge: int(s.Admin.Admins.SessionTTL() / time.Second),
		HttpOnly: true, Secure: s.secure(r), SameSite: http.SameSiteLaxMode})
	http.Redirect(w, r, "/admin", http.StatusSeeOther)
}
