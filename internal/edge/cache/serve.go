package cache

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/peakshop/peakshop/internal/edge/cork"
)

// serveEntry writes a stored response, with its current Age and X-Cache,
// answering the client's own validators with 304 where they match.
func serveEntry(w http.ResponseWriter, r *http.Request, e *entry, xcache string, now time.Time) {
	h := w.Header()
	for _, f := range e.fieldList() {
		h[f.name] = f.values
	}
	// Keys are canonical already; direct assignment skips canonicalising.
	h["Age"] = e.ageHeader(now)
	h["X-Cache"] = xcacheValue(xcache)
	if e.status == http.StatusOK && notModified(r, e) {
		for _, k := range []string{"Content-Length", "Content-Type", "Content-Encoding"} {
			h.Del(k)
		}
		w.WriteHeader(http.StatusNotModified)
		return
	}
	if e.status != http.StatusNoContent {
		cl := e.contentLength
		if cl == nil {
			cl = []string{strconv.Itoa(len(e.body))}
		}
		h["Content-Length"] = cl
	}
	if r.Method != http.MethodHead {
		// The whole response is in memory: let the connection send it in
		// one system call instead of net/http's two for anything past 4 KB.
		cork.Hold(r, len(e.body))
	}
	w.WriteHeader(e.status)
	if r.Method != http.MethodHead {
		_, _ = w.Write(e.body)
	}
}

// The X-Cache values as header slices, shared by every response: capped,
// so an Add copies, and Set or Del replace the slice rather than write
// into it (nothing in net/http or the edge writes into a value slice).
var (
	hitValue   = []string{Hit}[:1:1]
	staleValue = []string{Stale}[:1:1]
	missValue  = []string{Miss}[:1:1]
)

func xcacheValue(v string) []string {
	switch v {
	case Hit:
		return hitValue
	case Stale:
		return staleValue
	case Miss:
		return missValue
	}
	return []string{v}
}

// notModified evaluates If-None-Match (weak comparison) and, only without
// it, If-Modified-Since, as RFC 9110 section 13.2.2 orders.
func notModified(r *http.Request, e *entry) bool {
	if inm := first(r.Header["If-None-Match"]); inm != "" {
		et := e.etag()
		if et == "" {
			return false
		}
		for c := range strings.SplitSeq(inm, ",") {
			c = strings.TrimSpace(c)
			if c == "*" || weakTag(c) == weakTag(et) {
				return true
			}
		}
		return false
	}
	v := first(r.Header["If-Modified-Since"])
	if v == "" {
		return false
	}
	ims, err := http.ParseTime(v)
	if err != nil {
		return false
	}
	lm, err := http.ParseTime(e.lastModified())
	return err == nil && !lm.After(ims)
}

func weakTag(t string) string { return strings.TrimPrefix(t, "W/") }

func first(vs []string) string {
	if len(vs) == 0 {
		return ""
	}
	return vs[0]
}
