// Package jsonbody decodes JSON request bodies strictly: the right content
// type, a size limit, no unknown fields, exactly one value. Every way a body
// can be wrong becomes an *Error with the HTTP status it deserves, so handlers
// never answer bad input with a 500 and never act on half-read input.
package jsonbody

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"
)

// DefaultLimit is the largest body accepted unless a handler asks otherwise.
const DefaultLimit = 64 << 10

// Error says why a body was refused. Field is set when one field is at fault.
type Error struct {
	Status int
	Detail string
	Field  string
}

func (e *Error) Error() string { return e.Detail }

// Decode reads r's body into v with the given limit (DefaultLimit if <= 0).
func Decode(w http.ResponseWriter, r *http.Request, v any, limit int64) error {
	if limit <= 0 {
		limit = DefaultLimit
	}
	if err := checkContentType(r.Header.Get("Content-Type")); err != nil {
		return err
	}
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, limit))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return classify(err, limit)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return tooLarge(limit)
		}
		return &Error{Status: http.StatusBadRequest, Detail: "the body must hold exactly one JSON value"}
	}
	return nil
}

func checkContentType(ct string) error {
	mt, _, err := mime.ParseMediaType(ct)
	if err == nil && (mt == "application/json" || strings.HasSuffix(mt, "+json")) {
		return nil
	}
	return &Error{Status: http.StatusUnsupportedMediaType, Detail: "send the body as Content-Type: application/json"}
}

func tooLarge(limit int64) *Error {
	return &Error{Status: http.StatusRequestEntityTooLarge, Detail: fmt.Sprintf("the body is larger than %d bytes", limit)}
}

func classify(err error, limit int64) error {
	var (
		syntax *json.SyntaxError
		typ    *json.UnmarshalTypeError
		mbe    *http.MaxBytesError
	)
	switch {
	case errors.As(err, &mbe):
		return tooLarge(limit)
	case errors.Is(err, io.EOF):
		return &Error{Status: http.StatusBadRequest, Detail: "the body is empty; send a JSON object"}
	case errors.Is(err, io.ErrUnexpectedEOF):
		return &Error{Status: http.StatusBadRequest, Detail: "the body ends in the middle of a JSON value"}
	case errors.As(err, &syntax):
		return &Error{Status: http.StatusBadRequest, Detail: fmt.Sprintf("malformed JSON at byte %d", syntax.Offset)}
	case errors.As(err, &typ):
		field := typ.Field
		if field == "" {
			field = "(body)"
		}
		return &Error{Status: http.StatusUnprocessableEntity, Field: field, Detail: fmt.Sprintf("%s must be %s, not %s", field, kindName(typ.Type.Kind().String()), typ.Value)}
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		// encoding/json has no error type for this; the message is stable API.
		name := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return &Error{Status: http.StatusUnprocessableEntity, Field: name, Detail: fmt.Sprintf("unknown field %q", name)}
	default:
		return &Error{Status: http.StatusBadRequest, Detail: "the body is not valid JSON"}
	}
}

func kindName(k string) string {
	switch k {
	case "int", "int64", "int32", "uint", "uint64", "uint32", "float64":
		return "a number"
	case "string":
		return "a string"
	case "struct", "map":
		return "an object"
	case "slice", "array":
		return "an array"
	case "bool":
		return "true or false"
	}
	return "another type"
}
