package cache

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
)

// entry is one stored response, immutable once stored: revalidation
// stores a new entry rather than changing this one, since readers share it.
type entry struct {
	status int
	header http.Header
	body   []byte

	requestTime, responseTime time.Time
	date                      time.Time
	ageValue                  time.Duration
	lifetime                  time.Duration // freshness lifetime
	cc                        Directives

	host      string
	pathKey   string
	tags      []string      // Surrogate-Key values
	varyNames []string      // canonical, sorted; set on markers and variants
	marker    bool          // a Vary marker: says which headers select the variant
	ttl       time.Duration // storage retention, set when stored

	// contentLength is the Content-Length header value, made once here
	// rather than on every hit (nil for entries not built by newEntry).
	contentLength []string
	// ageMemo holds the Age header value for the second it was made in:
	// the one field that changes after storing, a memo rather than state,
	// so a busy entry formats its Age once a second instead of per hit.
	ageMemo atomic.Pointer[ageValue]
	// fields is header as a list, made on the first hit (fieldList).
	fields atomic.Pointer[[]field]
	// variantKeys, on a Vary marker, memoises the storage keys of the
	// variants asked for so far (variants.go).
	variantKeys atomic.Pointer[[]string]
}

type ageValue struct {
	secs int64
	v    []string
}

// ageHeader is the Age header value at now (RFC 9111 section 5.1).
func (e *entry) ageHeader(now time.Time) []string {
	secs := int64(e.age(now) / time.Second)
	if a := e.ageMemo.Load(); a != nil && a.secs == secs {
		return a.v
	}
	// Capped like the stored headers: the slice is shared by every hit.
	a := &ageValue{secs: secs, v: []string{strconv.FormatInt(secs, 10)}[:1:1]}
	e.ageMemo.Store(a)
	return a.v
}

// field is one stored header, its values capped (see fields).
type field struct {
	name   string
	values []string
}

// fieldList returns the stored headers as a list, made once: ranging over a
// map on every hit costs more than copying the fields, and the capped
// value slices make a later append (Vary) copy instead of writing into
// the entry that every reader shares. Made on first use rather than in
// newEntry, since the header is still edited between the two.
func (e *entry) fieldList() []field {
	if fs := e.fields.Load(); fs != nil {
		return *fs
	}
	fs := make([]field, 0, len(e.header))
	for k, vs := range e.header {
		fs = append(fs, field{name: k, values: vs[:len(vs):len(vs)]})
	}
	e.fields.Store(&fs)
	return fs
}

// newEntry builds an entry from an origin response.
func newEntry(status int, h http.Header, body []byte, reqTime, respTime time.Time, heuristic bool) *entry {
	e := &entry{
		status:       status,
		header:       h,
		body:         body,
		requestTime:  reqTime,
		responseTime: respTime,
		cc:           ParseCacheControl(h.Values("Cache-Control")),
		// Capacity capped like the stored headers: shared by every hit.
		contentLength: []string{strconv.Itoa(len(body))}[:1:1],
	}
	e.date = parseHTTPDate(h.Get("Date"), respTime)
	if a, err := strconv.ParseInt(strings.TrimSpace(h.Get("Age")), 10, 64); err == nil && a > 0 && a < int64(maxDelta/time.Second) {
		e.ageValue = time.Duration(a) * time.Second
	}
	e.lifetime, _ = freshnessLifetime(e.cc, h, e.date, heuristic)
	return e
}

// freshnessLifetime implements RFC 9111 section 4.2.1 for a shared cache;
// explicit reports whether the origin gave a lifetime.
func freshnessLifetime(cc Directives, h http.Header, date time.Time, heuristic bool) (lifetime time.Duration, explicit bool) {
	switch {
	case cc.SMaxAge >= 0:
		return cc.SMaxAge, true
	case cc.MaxAge >= 0:
		return cc.MaxAge, true
	case h.Get("Expires") != "":
		exp, err := http.ParseTime(h.Get("Expires"))
		if err != nil { // invalid Expires (such as "0") means already expired
			return 0, true
		}
		return max(0, exp.Sub(date)), true
	case heuristic && h.Get("Last-Modified") != "":
		if lm, err := http.ParseTime(h.Get("Last-Modified")); err == nil && lm.Before(date) {
			return min(date.Sub(lm)/10, 24*time.Hour), false
		}
	}
	return 0, false
}

func parseHTTPDate(v string, fallback time.Time) time.Time {
	if t, err := http.ParseTime(v); err == nil {
		return t
	}
	return fallback
}

// age is the entry's current age (RFC 9111 section 4.2.3).
func (e *entry) age(now time.Time) time.Duration {
	apparent := max(0, e.responseTime.Sub(e.date))
	corrected := e.ageValue + e.responseTime.Sub(e.requestTime)
	return max(apparent, corrected) + now.Sub(e.responseTime)
}

// fresh reports whether the entry may be served without contacting the origin.
func (e *entry) fresh(now time.Time) bool {
	return !e.cc.NoCache && e.age(now) < e.lifetime
}

// staleAllowed reports whether the explicit directives forbid serving stale.
func (e *entry) staleForbidden() bool {
	return e.cc.MustRevalidate || e.cc.ProxyRevalidate || e.cc.NoCache
}

// withinSWR reports whether a stale entry may be served while it is
// revalidated in the background.
func (e *entry) withinSWR(now time.Time) bool {
	return !e.staleForbidden() && e.cc.StaleWhileRevalidate > 0 &&
		e.age(now) < e.lifetime+e.cc.StaleWhileRevalidate
}

// withinSIE reports whether a stale entry may stand in for an origin error.
func (e *entry) withinSIE(now time.Time) bool {
	return !e.staleForbidden() && e.cc.StaleIfError > 0 &&
		e.age(now) < e.lifetime+e.cc.StaleIfError
}

func (e *entry) etag() string         { return e.header.Get("ETag") }
func (e *entry) lastModified() string { return e.header.Get("Last-Modified") }
func (e *entry) hasValidator() bool   { return e.etag() != "" || e.lastModified() != "" }

// retention is how long storage keeps the entry: its freshness, then the
// longest stale window it allows, plus a grace period for revalidation when
// it has a validator (a 304 is cheaper than a full response).
func (e *entry) retention(now time.Time, grace time.Duration) time.Duration {
	if e.marker {
		return 24 * time.Hour
	}
	d := e.lifetime - e.age(now) + max(e.cc.StaleWhileRevalidate, e.cc.StaleIfError, 0)
	if e.hasValidator() {
		d += grace
	}
	return max(d, time.Second)
}

// weight is the entry's approximate memory cost in bytes.
func (e *entry) weight() uint32 {
	n := 256 + len(e.body)
	for k, vs := range e.header {
		n += len(k)
		for _, v := range vs {
			n += len(v) + 16
		}
	}
	return uint32(min(n, 1<<31))
}

// revalidated returns a copy of the entry refreshed by a 304's headers
// (RFC 9111 section 4.3.4): stored headers are replaced by the new ones,
// except the framing ones, and the clocks restart.
func (e *entry) revalidated(h http.Header, reqTime, respTime time.Time, heuristic bool) *entry {
	merged := e.header.Clone()
	for k, vs := range h {
		switch k {
		case "Content-Length", "Content-Encoding", "Transfer-Encoding", "Content-Range":
			continue
		}
		merged[k] = slices.Clone(vs)
	}
	n := newEntry(e.status, merged, e.body, reqTime, respTime, heuristic)
	n.host, n.pathKey, n.tags, n.varyNames = e.host, e.pathKey, e.tags, e.varyNames
	if st := h.Values("Surrogate-Key"); len(st) > 0 {
		n.tags = surrogateKeys(st)
	}
	n.header.Del("Surrogate-Key")
	return n
}

func surrogateKeys(values []string) []string {
	var out []string
	for _, v := range values {
		out = append(out, strings.Fields(v)...)
	}
	slices.Sort(out)
	return slices.Compact(out)
}
