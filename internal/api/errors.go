package api

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strings"

	"github.com/peakshop/peakshop/internal/domain/apperr"
	"github.com/peakshop/peakshop/internal/platform/jsonbody"
	"github.com/peakshop/peakshop/internal/platform/problem"
)

// statusOf is the one table from error kinds to HTTP statuses.
var statusOf = map[apperr.Kind]int{
	apperr.Internal:        http.StatusInternalServerError,
	apperr.NotFound:        http.StatusNotFound,
	apperr.Conflict:        http.StatusConflict,
	apperr.Invalid:         http.StatusUnprocessableEntity,
	apperr.OutOfStock:      http.StatusConflict,
	apperr.PaymentDeclined: http.StatusPaymentRequired,
	apperr.Unauthorized:    http.StatusUnauthorized,
	apperr.Unavailable:     http.StatusServiceUnavailable,
}

// problemType gives shop-specific kinds a type URI (relative, resolved
// against the API's own address, per RFC 9457 section 3.1.1).
var problemType = map[apperr.Kind]string{
	apperr.Invalid:         "/api/problems/invalid-request",
	apperr.OutOfStock:      "/api/problems/out-of-stock",
	apperr.PaymentDeclined: "/api/problems/payment-declined",
	apperr.Conflict:        "/api/problems/conflict",
	apperr.Unavailable:     "/api/problems/unavailable",
}

func notFound(msg string) error { return apperr.New(apperr.NotFound, msg) }

func invalidField(field, reason string) error {
	return apperr.InvalidFields([]apperr.FieldError{{Field: field, Reason: reason}})
}

// problemFor turns any error into a problem document without leaking
// internal text: only *apperr.Error messages and body-decoding errors are
// shown to clients.
func problemFor(err error) problem.Problem {
	var de *jsonbody.Error
	if errors.As(err, &de) {
		p := problem.New(de.Status, de.Detail)
		if de.Field != "" {
			p.Type = problemType[apperr.Invalid]
			p.Errors = []problem.Field{{Name: de.Field, Reason: de.Detail}}
		}
		return p
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return problem.New(http.StatusServiceUnavailable, "the shop is busy; try again shortly")
	}
	var ae *apperr.Error
	if !errors.As(err, &ae) {
		return problem.New(http.StatusInternalServerError, "something went wrong on our side; it has been logged")
	}
	p := problem.New(statusOf[ae.Kind], ae.Message)
	if t, ok := problemType[ae.Kind]; ok {
		p.Type = t
	}
	for _, f := range ae.Fields {
		p.Errors = append(p.Errors, problem.Field{Name: f.Field, Reason: f.Reason})
	}
	if len(ae.Shortages) > 0 {
		p.Extensions = map[string]any{"shortages": ae.Shortages}
	}
	return p
}

// writeError logs what clients must not see and answers with a problem.
func writeError(w http.ResponseWriter, r *http.Request, err error, logger *slog.Logger) {
	p := problemFor(err)
	switch {
	case p.Status >= 500 && p.Status != http.StatusServiceUnavailable:
		logger.ErrorContext(r.Context(), "request failed", "method", r.Method, "path", r.URL.Path, "err", err)
	case p.Status == http.StatusServiceUnavailable:
		w.Header().Set("Retry-After", "2")
		logger.WarnContext(r.Context(), "request unavailable", "method", r.Method, "path", r.URL.Path, "err", err)
	}
	problem.Write(w, p)
}

func methodNotAllowed(allowed []string) http.Handler {
	allow := strings.Join(allowed, ", ")
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Allow", allow)
		problem.Write(w, problem.New(http.StatusMethodNotAllowed, "this endpoint accepts "+allow))
	})
}
