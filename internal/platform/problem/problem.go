// Package problem writes RFC 9457 problem details (application/problem+json),
// the one error format of the shop's HTTP APIs.
package problem

import (
	"encoding/json"
	"net/http"
	"strconv"
)

// ContentType is the media type of a problem document.
const ContentType = "application/problem+json"

// Field names one invalid input and why.
type Field struct {
	Name   string `json:"name"`
	Reason string `json:"reason"`
}

// Problem is an RFC 9457 problem document. Type is a URI naming the kind of
// problem; Detail is for the human reading this one occurrence. Errors lists
// invalid fields; Extensions adds members such as the short SKUs of a 409.
type Problem struct {
	Type       string         `json:"type"`
	Title      string         `json:"title"`
	Status     int            `json:"status"`
	Detail     string         `json:"detail,omitempty"`
	Instance   string         `json:"instance,omitempty"`
	Errors     []Field        `json:"errors,omitempty"`
	Extensions map[string]any `json:"-"`
}

// MarshalJSON writes the standard members followed by the extension members.
func (p Problem) MarshalJSON() ([]byte, error) {
	type plain Problem
	b, err := json.Marshal(plain(p))
	if err != nil || len(p.Extensions) == 0 {
		return b, err
	}
	ext, err := json.Marshal(p.Extensions)
	if err != nil {
		return nil, err
	}
	// Splice {"type":...} and {"ext":...} into one object.
	out := append(b[:len(b)-1:len(b)-1], ',')
	return append(out, ext[1:]...), nil
}

// New returns a problem whose type and title follow from the status.
func New(status int, detail string) Problem {
	return Problem{Type: "about:blank", Title: http.StatusText(status), Status: status, Detail: detail}
}

// Write sends p with its status code.
func Write(w http.ResponseWriter, p Problem) {
	b, err := json.Marshal(p)
	if err != nil {
		b = []byte(`{"type":"about:blank","title":"Internal Server Error","status":500}`)
		p.Status = http.StatusInternalServerError
	}
	h := w.Header()
	h.Set("Content-Type", ContentType)
	h.Set("Content-Length", strconv.Itoa(len(b)+1))
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(p.Status)
	_, _ = w.Write(append(b, '\n'))
}
