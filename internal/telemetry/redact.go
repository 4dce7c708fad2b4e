package telemetry

import (
	"regexp"
	"strings"

	"go.opentelemetry.io/otel/attribute"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
)

// Patterns of values that must never leave the process, whatever attribute
// or log field they hide in. Compiled once; regexps are safe for concurrent
// use and never change.
var (
	emailRe = regexp.MustCompile(`[A-Za-z0-9._%+\-]+@[A-Za-z0-9.\-]+\.[A-Za-z]{2,}`)
	cardRe  = regexp.MustCompile(`\b(?:\d[ -]?){12,18}\d\b`)
	tokenRe = regexp.MustCompile(`\b(?:tok|pm|card|src|sk|pk|rk)_[A-Za-z0-9_]+`)
	authRe  = regexp.MustCompile(`(?i)\b(?:bearer|basic)\s+[^\s"']+`)
)

// Redacted replaces what was removed.
const Redacted = "[redacted]"

// Scrub masks e-mail addresses, card-number-like digit runs, payment
// tokens and authorization credentials in s.
func Scrub(s string) string {
	if !strings.ContainsAny(s, "@_0123456789") && !strings.Contains(strings.ToLower(s), "bearer") && !strings.Contains(strings.ToLower(s), "basic") {
		return s // the common case: nothing to look at, no regexp run
	}
	s = emailRe.ReplaceAllString(s, Redacted)
	s = tokenRe.ReplaceAllString(s, Redacted)
	s = authRe.ReplaceAllString(s, Redacted)
	return cardRe.ReplaceAllString(s, Redacted)
}

// sensitiveKey reports attribute and log keys whose values identify a person
// or grant access; their values are dropped whatever they look like.
func sensitiveKey(k string) bool {
	k = strings.ToLower(k)
	switch k {
	case "client.address", "network.peer.address", "network.peer.port", "user_agent.original",
		"url.query", "url.full", "http.url", "http.target", "http.client_ip", "enduser.id",
		"email", "e-mail", "name", "customer", "address", "shipping_address", "billing_address",
		"phone", "token", "access_token", "payment_token", "password", "secret", "authorization",
		"cookie", "card", "card_number", "pan", "cvc", "cvv":
		return true
	}
	return strings.HasPrefix(k, "http.request.header.") || strings.HasPrefix(k, "http.response.header.set-cookie")
}

// redactAttrs returns attrs without sensitive keys and with string values
// scrubbed. It allocates only when something changes.
func redactAttrs(attrs []attribute.KeyValue) []attribute.KeyValue {
	out := attrs
	copied := false
	for i, kv := range attrs {
		drop := sensitiveKey(string(kv.Key))
		var nv attribute.KeyValue
		changed := drop
		if !drop && kv.Value.Type() == attribute.STRING {
			if s := Scrub(kv.Value.AsString()); s != kv.Value.AsString() {
				nv, changed = attribute.String(string(kv.Key), s), true
			}
		}
		if !changed {
			if copied {
				out = append(out, kv)
			}
			continue
		}
		if !copied {
			out = append(make([]attribute.KeyValue, 0, len(attrs)), attrs[:i]...)
			copied = true
		}
		if !drop {
			out = append(out, nv)
		}
	}
	return out
}

// redactedSpan is a finished span as it may leave the process.
type redactedSpan struct {
	sdktrace.ReadOnlySpan
}

func (s redactedSpan) Attributes() []attribute.KeyValue {
	return redactAttrs(s.ReadOnlySpan.Attributes())
}

func (s redactedSpan) Events() []sdktrace.Event {
	evs := s.ReadOnlySpan.Events()
	out := make([]sdktrace.Event, len(evs))
	for i, e := range evs {
		e.Attributes = redactAttrs(e.Attributes)
		out[i] = e
	}
	return out
}

func (s redactedSpan) Status() sdktrace.Status {
	st := s.ReadOnlySpan.Status()
	st.Description = Scrub(st.Description)
	return st
}
