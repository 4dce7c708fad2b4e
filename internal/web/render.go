package web

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"strconv"
	"strings"
)

// page is what the layout renders around a page's own content.
type page struct {
	Title       string
	Description string
	// CSRF is the form token on session pages; empty on public pages,
	// which must not depend on the visitor.
	CSRF string
	// Visitor is shown in the header of session pages only.
	Visitor *visitorView
	// SSE loads the server-sent events extension (order status page).
	SSE bool
	// Refresh, when set, reloads the page after that many seconds for
	// browsers without JavaScript (inside <noscript>).
	Refresh int
	NoIndex bool
	Data    any
}

type visitorView struct {
	SignedIn bool
	Name     string
	Email    string
}

// Cache policies of HTML responses.
const (
	// cachePublic is for pages that depend only on their URL. Stock on them
	// may lag by this much; checkout is what decides.
	cachePublic = "public, max-age=5, stale-while-revalidate=30"
	// cachePrivate is for anything that depends on the session.
	cachePrivate = "private, no-store"
)

// rendered is a page's bytes and the headers that describe them; public
// pages are kept in the page cache as these.
type rendered struct {
	body   []byte
	etag   []string
	keys   []string // Surrogate-Key value, nil on private pages
	length []string
}

// render executes a page's template into a fresh buffer.
func (s *Server) render(name string, p page) ([]byte, error) {
	t, ok := s.pages.byName[name]
	if !ok {
		return nil, errUnknownPage(name)
	}
	var buf bytes.Buffer
	buf.Grow(16 << 10)
	if err := t.ExecuteTemplate(&buf, "layout", p); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

type errUnknownPage string

func (e errUnknownPage) Error() string { return "web: no template for page " + string(e) }

func newRendered(body []byte, surrogateKeys []string) rendered {
	sum := sha256.Sum256(body)
	r := rendered{body: body, etag: []string{`"` + base64.RawURLEncoding.EncodeToString(sum[:12]) + `"`},
		length: []string{strconv.Itoa(len(body))}}
	if len(surrogateKeys) > 0 {
		r.keys = []string{strings.Join(surrogateKeys, " ")}
	}
	return r
}

// headerValues are header values built once, so the hot path (a cached
// product page) sets headers without allocating.
type headerValues struct {
	html, public, private  []string
	csp, nosniff, referrer []string
}

func newHeaderValues() headerValues {
	return headerValues{html: []string{"text/html; charset=utf-8"}, public: []string{cachePublic}, private: []string{cachePrivate},
		csp: []string{contentSecurityPolicy}, nosniff: []string{"nosniff"}, referrer: []string{"same-origin"}}
}

// setSecurity sets the headers every storefront response carries.
func (hv headerValues) setSecurity(h http.Header) {
	h["Content-Security-Policy"] = hv.csp
	h["X-Content-Type-Options"] = hv.nosniff
	h["Referrer-Policy"] = hv.referrer
}

// writePublic sends a public page, answering 304 to a matching validator.
func (s *Server) writePublic(w http.ResponseWriter, r *http.Request, status int, p rendered) {
	s.writeRendered(w, r, status, p, s.hv.public)
}

// writePrivate sends a session page: never stored by any cache.
func (s *Server) writePrivate(w http.ResponseWriter, r *http.Request, status int, name string, p page) {
	body, err := s.render(name, p)
	if err != nil {
		s.internalError(w, r, err)
		return
	}
	s.writeRendered(w, r, status, newRendered(body, nil), s.hv.private)
}

func (s *Server) writeRendered(w http.ResponseWriter, r *http.Request, status int, p rendered, cacheControl []string) {
	h := w.Header()
	h["Content-Type"] = s.hv.html
	h["Cache-Control"] = cacheControl
	h["Etag"] = p.etag
	if p.keys != nil {
		h["Surrogate-Key"] = p.keys
	}
	if status == http.StatusOK && etagMatches(r.Header.Get("If-None-Match"), p.etag[0]) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	h["Content-Length"] = p.length
	w.WriteHeader(status)
	if r.Method != http.MethodHead {
		_, _ = w.Write(p.body)
	}
}

func etagMatches(header, etag string) bool {
	if header == "" {
		return false
	}
	for _, t := range strings.Split(header, ",") {
		t = strings.TrimPrefix(strings.TrimSpace(t), "W/")
		if t == etag || t == "*" {
			return true
		}
	}
	return false
}

// renderFragment executes one named template of a page's set, for htmx
// swaps and server-sent events.
func (s *Server) renderFragment(pageName, fragment string, data any) ([]byte, error) {
	t, ok := s.pages.byName[pageName]
	if !ok {
		return nil, errUnknownPage(pageName)
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, fragment, data); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
