package cache

import "net/http"

const (
	modeNone = iota
	modeBuffer
	modePass
	modeRevalidated
	modeStaleOnError
)

// recorder is the ResponseWriter the origin writes a fetch into. It decides
// at the status line what the response is for: buffered for storage, passed
// straight through to the leader's client (not storable, or too big), or
// consumed (a 304 or an error a stale copy will stand in for).
type recorder struct {
	c      *Cache
	client http.ResponseWriter
	req    *http.Request
	stale  *entry
	onPass func()

	header http.Header
	status int
	mode   int
	buf    []byte
	tags   []string
}

func (rc *recorder) Header() http.Header { return rc.header }

func (rc *recorder) WriteHeader(code int) {
	if rc.mode != modeNone || code < 200 {
		return // informational responses are not forwarded by the cache
	}
	rc.status = code
	rc.tags = rc.header.Values("Surrogate-Key")
	rc.header.Del("Surrogate-Key") // an internal label, not for browsers
	now := rc.c.now()
	switch {
	case code == http.StatusNotModified && rc.stale != nil:
		rc.mode = modeRevalidated
	case code >= 500 && rc.stale != nil && rc.stale.withinSIE(now):
		rc.mode = modeStaleOnError
	case rc.overload() && rc.stale != nil && !rc.stale.staleForbidden():
		rc.mode = modeStaleOnError
	case rc.c.storable(code, rc.header):
		rc.mode = modeBuffer
	default:
		rc.pass()
	}
}

// overload reports (and strips) the shedder's mark on a refusal.
func (rc *recorder) overload() bool {
	name := rc.c.cfg.OverloadHeader
	if name == "" || rc.header.Get(name) == "" {
		return false
	}
	rc.header.Del(name)
	return rc.status == http.StatusServiceUnavailable
}

// pass switches to streaming to the leader's client.
func (rc *recorder) pass() {
	rc.mode = modePass
	rc.onPass()
	if rc.client == nil {
		return
	}
	h := rc.client.Header()
	for k, vs := range rc.header {
		h[k] = vs
	}
	h.Set("X-Cache", Miss)
	rc.client.WriteHeader(rc.status)
	if len(rc.buf) > 0 {
		_, _ = rc.client.Write(rc.buf)
		rc.buf = nil
	}
}

func (rc *recorder) Write(p []byte) (int, error) {
	if rc.mode == modeNone {
		rc.WriteHeader(http.StatusOK)
	}
	switch rc.mode {
	case modeBuffer:
		if len(rc.buf)+len(p) > rc.c.cfg.MaxObjectBytes {
			rc.pass()
			return rc.Write(p)
		}
		rc.buf = append(rc.buf, p...)
	case modePass:
		if rc.client != nil {
			return rc.client.Write(p)
		}
	}
	return len(p), nil
}

// Flush lets streamed pass-through responses reach the client as they come.
func (rc *recorder) Flush() {
	if rc.mode == modePass && rc.client != nil {
		_ = http.NewResponseController(rc.client).Flush()
	}
}

// finishHeader handles an origin that wrote nothing at all.
func (rc *recorder) finishHeader() {
	if rc.mode == modeNone {
		rc.WriteHeader(http.StatusOK)
	}
}

// cacheableStatus reports the final statuses a shared cache may store.
func cacheableStatus(code int) bool {
	switch code {
	case 200, 203, 204, 300, 301, 302, 307, 308, 404, 405, 410, 414, 501:
		return true
	}
	return false
}

// storable decides whether a response may be stored (RFC 9111 section 3,
// narrowed by the choices in the package doc).
func (c *Cache) storable(status int, h http.Header) bool {
	if !cacheableStatus(status) {
		return false
	}
	cc := ParseCacheControl(h.Values("Cache-Control"))
	if cc.NoStore || cc.Private || h.Get("Set-Cookie") != "" {
		return false
	}
	if _, star := varyNames(h); star {
		return false
	}
	hasValidator := h.Get("ETag") != "" || h.Get("Last-Modified") != ""
	if cc.NoCache {
		return hasValidator // stored only to be revalidated each time
	}
	lifetime, explicit := freshnessLifetime(cc, h, parseHTTPDate(h.Get("Date"), c.now()), c.cfg.Heuristic)
	if explicit {
		return lifetime > 0 || hasValidator
	}
	return c.cfg.Heuristic && lifetime > 0
}
