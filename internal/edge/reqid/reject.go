package reqid

import (
	"html"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/peakshop/peakshop/internal/platform/problem"
)

// Reject answers r with a refusal the edge itself produces (a block, a rate
// rule, shedding, an upstream that failed or timed out) and nothing
// internal: RFC 9457 problem details carrying the request id, the shop
// API's one error format, or a small page for a browser. retryAfterSeconds,
// when positive, sets Retry-After. Refusals are never stored.
func Reject(w http.ResponseWriter, r *http.Request, status int, retryAfterSeconds int) {
	id := From(r)
	h := w.Header()
	if id != "" {
		h.Set(Header, id)
	}
	if retryAfterSeconds > 0 {
		h.Set("Retry-After", strconv.Itoa(retryAfterSeconds))
	}
	h.Set("X-Content-Type-Options", "nosniff")
	h.Add("Vary", "Accept")
	if wantsHTML(r.Header.Get("Accept")) {
		rejectPage(w, status, id)
		return
	}
	p := problem.New(status, rejectDetail(status))
	if id != "" {
		p.Extensions = map[string]any{"request_id": id}
	}
	problem.Write(w, p)
}

// wantsHTML reports whether the client is a browser navigating: it names
// text/html ahead of any JSON type. fetch() and API clients (*/*, JSON, no
// Accept at all) get problem details.
func wantsHTML(accept string) bool {
	h := strings.Index(accept, "text/html")
	if h < 0 {
		return false
	}
	j := strings.Index(accept, "json")
	return j < 0 || h < j
}

// rejectDetail is the one sentence a shopper or API client is told; it
// must stay free of anything that names the edge's insides.
func rejectDetail(status int) string {
	switch status {
	case http.StatusForbidden:
		return "This request was blocked. If you think that is a mistake, contact us with the request id."
	case http.StatusTooManyRequests:
		return "Too many requests from your address; please wait and try again."
	case http.StatusBadGateway:
		return "The shop did not answer properly; please try again."
	case http.StatusServiceUnavailable:
		return "The shop is busy or briefly unavailable; please try again shortly."
	case http.StatusGatewayTimeout:
		return "The shop took too long to answer; please try again."
	}
	return ""
}

// rejectPage is the browser's form of a refusal: small and self-contained,
// like the challenge and waiting-room pages.
func rejectPage(w http.ResponseWriter, status int, id string) {
	text := http.StatusText(status)
	var b strings.Builder
	b.WriteString(`<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="robots" content="noindex"><title>`)
	b.WriteString(strconv.Itoa(status) + " " + text)
	b.WriteString("</title></head>\n<body><h1>")
	b.WriteString(text)
	b.WriteString("</h1>\n")
	if d := rejectDetail(status); d != "" {
		b.WriteString("<p>" + html.EscapeString(d) + "</p>\n")
	}
	b.WriteString("<p><small>request id: " + html.EscapeString(id) + "</small></p></body></html>\n")
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Length", strconv.Itoa(b.Len()))
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = io.WriteString(w, b.String())
}
