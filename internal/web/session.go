package web

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/peakshop/peakshop/internal/domain/account"
	"github.com/peakshop/peakshop/internal/domain/apperr"
)

// sessionCookie holds the session token. Its lifetime matches the session's.
const (
	sessionCookie = "ps_session"
	sessionMaxAge = 30 * 24 * time.Hour
)

// visitor is who is asking, as far as the session cookie tells.
type visitor struct {
	// token is the cookie's session token. It may be unsaved: minted to
	// anchor a form's CSRF token, stored only once there is something to
	// keep.
	token string
	sess  account.Session
	saved bool
}

// visitor reads the session cookie. A malformed, unknown or expired token is
// no error: the visitor is a guest without a session.
func (s *Server) visitor(r *http.Request) (visitor, error) {
	c, err := r.Cookie(sessionCookie)
	if err != nil || !account.ValidToken(c.Value) {
		return visitor{}, nil
	}
	sess, err := s.Accounts.Session(r.Context(), c.Value)
	switch {
	case apperr.Is(err, apperr.NotFound):
		return visitor{token: c.Value}, nil
	case err != nil:
		return visitor{}, fmt.Errorf("read session: %w", err)
	}
	return visitor{token: c.Value, sess: sess, saved: true}, nil
}

// ensureToken gives the visitor a token (and the browser its cookie) if it
// has none yet, so a form can carry a CSRF token bound to it.
func (s *Server) ensureToken(w http.ResponseWriter, r *http.Request, v *visitor) {
	if v.token == "" {
		v.token = account.NewToken()
		s.setSessionCookie(w, r, v.token)
	}
}

// ensureSession stores the visitor's session if it is not stored yet.
func (s *Server) ensureSession(ctx context.Context, w http.ResponseWriter, r *http.Request, v *visitor) error {
	if v.saved {
		return nil
	}
	s.ensureToken(w, r, v)
	sess, err := s.Accounts.StartSession(ctx, v.token)
	if apperr.Is(err, apperr.Conflict) {
		// The token's session existed and expired: start afresh with a new
		// token (this request's CSRF check already passed).
		v.token = account.NewToken()
		s.setSessionCookie(w, r, v.token)
		sess, err = s.Accounts.StartSession(ctx, v.token)
	}
	if err != nil {
		return err
	}
	v.sess, v.saved = sess, true
	return nil
}

func (s *Server) setSessionCookie(w http.ResponseWriter, r *http.Request, token string) {
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: token, Path: "/", MaxAge: int(sessionMaxAge / time.Second),
		HttpOnly: true, Secure: s.secure(r), SameSite: http.SameSiteLaxMode})
}

func (s *Server) clearSessionCookie(w http.ResponseWriter, r *http.Request) {
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: "", Path: "/", MaxAge: -1,
		HttpOnly: true, Secure: s.secure(r), SameSite: http.SameSiteLaxMode})
}

func (s *Server) secure(r *http.Request) bool { return r.TLS != nil || s.SecureCookies }

// view is what the header of a session page shows about the visitor.
func (v visitor) view() *visitorView {
	return &visitorView{SignedIn: v.sess.SignedIn(), Name: v.sess.Name, Email: v.sess.Email}
}
