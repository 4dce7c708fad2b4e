package web

import (
	"errors"
	"net/http"
	"strings"
	"unicode/utf8"
)

// maxFormBytes bounds any form body: the checkout form is the largest, and
// a few kilobytes hold every field at its longest.
const maxFormBytes = 16 << 10

// parseForm reads a urlencoded body with a size limit. It answers the
// request itself (400 or 413) and returns false when the body is unusable.
func (s *Server) parseForm(w http.ResponseWriter, r *http.Request) bool {
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	if err := r.ParseForm(); err != nil {
		status := http.StatusBadRequest
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			status = http.StatusRequestEntityTooLarge
		}
		s.errorPage(w, r, status, "We could not read that form", "Go back and send the form again.")
		return false
	}
	return true
}

// field returns a form or query value as clean text: valid UTF-8, no NUL
// (PostgreSQL refuses both in text) and at most max bytes.
func field(v string, max int) string {
	if !utf8.ValidString(v) {
		v = strings.ToValidUTF8(v, "")
	}
	v = strings.ReplaceAll(v, "\x00", "")
	if len(v) > max {
		v = v[:max]
		for !utf8.ValidString(v) {
			v = v[:len(v)-1]
		}
	}
	return v
}

// fieldErrors maps form field names to the message shown beside them.
type fieldErrors map[string]string

// safeNext accepts only a path on this site for a redirect after sign-in,
// so a link cannot bounce a shopper to another site.
func safeNext(next string) string {
	if next == "" || next[0] != '/' || strings.HasPrefix(next, "//") || strings.HasPrefix(next, "/\\") ||
		strings.ContainsAny(next, "\r\n\x00") || len(next) > 300 {
		return "/account"
	}
	return next
}
