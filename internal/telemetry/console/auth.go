package console

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"strconv"
	"strings"
	"time"
)

const (
	cookieName = "peakshop_console"
	sessionTTL = 12 * time.Hour // one shift
)

// session is "expiry.signature": it proves the holder once showed the admin
// token, without the token itself sitting in a cookie.
func (c *Console) session(now time.Time) string {
	exp := strconv.FormatInt(now.Add(sessionTTL).Unix(), 10)
	return exp + "." + c.sign(exp)
}

func (c *Console) sign(s string) string {
	m := hmac.New(sha256.New, c.key)
	m.Write([]byte("console-session:" + s))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

func (c *Console) validSession(v string, now time.Time) bool {
	exp, sig, ok := strings.Cut(v, ".")
	if !ok || !hmac.Equal([]byte(sig), []byte(c.sign(exp))) {
		return false
	}
	t, err := strconv.ParseInt(exp, 10, 64)
	return err == nil && now.Unix() < t
}

// authorized accepts the admin bearer token (tools such as `peakshop
// alarms`) or a console session cookie (the browser).
func (c *Console) authorized(r *http.Request) bool {
	if h := r.Header.Get("Authorization"); strings.HasPrefix(h, "Bearer ") {
		return c.opts.IsAdmin(strings.TrimPrefix(h, "Bearer "))
	}
	ck, err := r.Cookie(cookieName)
	return err == nil && c.validSession(ck.Value, time.Now())
}

func (c *Console) requireAdmin(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if !c.authorized(r) {
			w.Header().Set("WWW-Authenticate", `Bearer realm="peakshop-admin"`)
			http.Error(w, "sign in at /console/login", http.StatusUnauthorized)
			return
		}
		next(w, r)
	}
}

func (c *Console) setSession(w http.ResponseWriter, r *http.Request) {
	http.SetCookie(w, &http.Cookie{
		Name: cookieName, Value: c.session(time.Now()), Path: "/console",
		MaxAge: int(sessionTTL.Seconds()), HttpOnly: true, SameSite: http.SameSiteStrictMode,
		Secure: r.TLS != nil || r.Header.Get("X-Forwarded-Proto") == "https",
	})
}

func (c *Console) loginForm(w http.ResponseWriter, r *http.Request) {
	c.render(w, "login.html", map[string]any{"Failed": r.URL.Query().Has("failed")})
}

// login takes the token from the form and swaps it for a session.
func (c *Console) login(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 4<<10)
	if err := r.ParseForm(); err != nil || !c.opts.IsAdmin(r.PostForm.Get("token")) {
		http.Redirect(w, r, "/console/login?failed", http.StatusSeeOther)
		return
	}
	c.setSession(w, r)
	http.Redirect(w, r, "/console", http.StatusSeeOther)
}

func (c *Console) logout(w http.ResponseWriter, r *http.Request) {
	http.SetCookie(w, &http.Cookie{Name: cookieName, Value: "", Path: "/console", MaxAge: -1, HttpOnly: true, SameSite: http.SameSiteStrictMode})
	http.Redirect(w, r, "/console/login", http.StatusSeeOther)
}
