package web

import (
	"errors"
	"net/http"

	"github.com/peakshop/peakshop/internal/domain/account"
	"github.com/peakshop/peakshop/internal/domain/apperr"
)

// statusOf is the one table from error kinds to HTTP statuses for pages.
func statusOf(err error) int {
	if errors.Is(err, account.ErrTooManyAttempts) {
		return http.StatusTooManyRequests
	}
	switch apperr.KindOf(err) {
	case apperr.NotFound:
		return http.StatusNotFound
	case apperr.Invalid:
		return http.StatusUnprocessableEntity
	case apperr.Conflict, apperr.OutOfStock:
		return http.StatusConflict
	case apperr.PaymentDeclined:
		return http.StatusPaymentRequired
	case apperr.Unauthorized:
		return http.StatusUnauthorized
	case apperr.Unavailable:
		return http.StatusServiceUnavailable
	}
	return http.StatusInternalServerError
}

// messageOf is the text a shopper may see for err: the client-safe message
// of a classified error, never internal text.
func messageOf(err error) string {
	var e *apperr.Error
	if errors.As(err, &e) && e.Kind != apperr.Internal {
		return sentence(e.Message)
	}
	return "Something went wrong on our side. It has been logged; please try again in a moment."
}

type errorData struct {
	Heading string
	Message string
	Status  int
}

// fail shows err as a page: the right status and a safe message. Internal
// errors are logged with their cause.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error) {
	status := statusOf(err)
	if status == http.StatusNotFound {
		s.notFound(w, r)
		return
	}
	if status >= 500 {
		s.Logger.ErrorContext(r.Context(), "storefront request failed", "path", r.URL.Path, "err", err)
	}
	heading := "Sorry, that did not work"
	if status == http.StatusServiceUnavailable {
		heading = "We are very busy right now"
	}
	s.errorPage(w, r, status, heading, messageOf(err))
}

func (s *Server) internalError(w http.ResponseWriter, r *http.Request, err error) {
	s.fail(w, r, err)
}

// errorPage renders the error template. It never fails loudly: if even
// that template cannot render, a plain-text answer goes out.
func (s *Server) errorPage(w http.ResponseWriter, r *http.Request, status int, heading, message string) {
	body, err := s.render("error", page{Title: heading, NoIndex: true, Data: errorData{Heading: heading, Message: message, Status: status}})
	if err != nil {
		s.Logger.ErrorContext(r.Context(), "render error page", "err", err)
		http.Error(w, message, status)
		return
	}
	s.writeRendered(w, r, status, newRendered(body, nil), s.hv.private)
}

// notFoundData feeds the 404 page: the categories and a search box, so a
// stale link still leads somewhere.
type notFoundData struct {
	Path       string
	Categories any
}

func (s *Server) notFound(w http.ResponseWriter, r *http.Request) {
	// A short shared lifetime: the edge may absorb a crawler's misses, and
	// a product created a minute later still shows up soon.
	s.notFoundCached(w, r, "public, max-age=30")
}

// privateNotFound answers for what exists only for some visitors (an order
// is there for its owner): a shared cache must not keep this 404 and serve
// it to the owner.
func (s *Server) privateNotFound(w http.ResponseWriter, r *http.Request) {
	s.notFoundCached(w, r, "private, no-store")
}

func (s *Server) notFoundCached(w http.ResponseWriter, r *http.Request, cacheControl string) {
	cats, err := s.categories(r.Context())
	if err != nil {
		s.Logger.WarnContext(r.Context(), "404 page without categories", "err", err)
	}
	body, err := s.render("notfound", page{Title: "Page not found", NoIndex: true,
		Data: notFoundData{Path: r.URL.Path, Categories: cats}})
	if err != nil {
		s.Logger.ErrorContext(r.Context(), "render 404 page", "err", err)
		http.Error(w, "not found", http.StatusNotFound)
		return
	}
	w.Header().Set("Cache-Control", cacheControl)
	s.writeRendered(w, r, http.StatusNotFound, newRendered(body, nil), w.Header()["Cache-Control"])
}

// sentence capitalises a domain message (written lower-case for the JSON
// API) for a page.
func sentence(s string) string {
	if s == "" || s[0] < 'a' || s[0] > 'z' {
		return s
	}
	return string(s[0]-'a'+'A') + s[1:]
}
