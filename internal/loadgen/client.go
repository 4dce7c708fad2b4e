package loadgen

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"slices"
	"time"

	"github.com/valyala/fasthttp"
)

// errBudget ends a session when the run's request budget is spent.
var errBudget = errors.New("request budget spent")

// errMalformed marks an answer the generator could not understand.
var errMalformed = errors.New("malformed answer")

// maxBody is the largest response the generator accepts; a bigger one is an
// error (no shop page or API answer comes near it).
const maxBody = 16 << 20

// userAgent says who we are, so logs and firewalls can tell us apart.
const userAgent = "peakshop-load/1 (synthetic)"

// newHostClient is the one connection pool every session shares: the
// target is one host, so fasthttp's HostClient fits, and it costs about half
// of net/http's client per request (no goroutine pair per connection, no
// per-request allocations). That is what lets one core send 20,000+
// requests a second. Connections are pooled the way a CDN's or a browser
// fleet's would be: the shop sees keep-alive traffic from up to max sockets.
func newHostClient(u *url.URL, maxConns int, timeout time.Duration) *fasthttp.HostClient {
	host := u.Host
	switch {
	case u.Port() != "":
	case u.Scheme == "https":
		host += ":443"
	default:
		host += ":80"
	}
	return &fasthttp.HostClient{
		Addr: host, IsTLS: u.Scheme == "https", Name: userAgent,
		MaxConns: maxConns, MaxIdleConnDuration: 30 * time.Second, MaxConnWaitTimeout: time.Minute,
		MaxResponseBodySize: maxBody, ReadBufferSize: 16 << 10,
		// DoTimeout stops waiting but leaves the exchange running; these
		// close the connection too, so a hung shop cannot pile them up.
		ReadTimeout: timeout, WriteTimeout: timeout,
		// Never retry on our own: a retried checkout would hide a failure
		// the shop must be charged with, and change the request count.
		RetryIfErr:                    func(*fasthttp.Request, int, error) (bool, bool) { return false, false },
		DisableHeaderNamesNormalizing: true, DisablePathNormalizing: true,
	}
}

// exchange is one finished request.
type exchange struct {
	status int
	body   []byte // only when call.keep
	took   time.Duration
	err    error
}

// call describes one request.
type call struct {
	method, path, ctype string
	body                []byte
	header              [2]string // one extra header, name and value
	keep                bool      // copy the body into exchange.body
}

// do sends a request to the target with the synthetic baggage and the
// session's cookies, and reads the answer. It spends one request of the
// run's budget first.
func (r *runner) do(ctx context.Context, j *jar, c call) exchange {
	if ctx.Err() != nil {
		return exchange{err: ctx.Err()}
	}
	if !r.rec.reserve(r.sc.MaxRequests) {
		r.stop(StopMaxRequests)
		r.cutSessions()
		return exchange{err: errBudget}
	}
	req, resp := fasthttp.AcquireRequest(), fasthttp.AcquireResponse()
	defer fasthttp.ReleaseRequest(req)
	defer fasthttp.ReleaseResponse(resp)
	req.SetRequestURI(r.base + c.path)
	req.Header.SetMethod(c.method)
	// W3C baggage: the shop keeps synthetic traffic out of its business
	// figures (orders, revenue) while still counting it as load.
	req.Header.Set("Baggage", "synthetic=true")
	if c.ctype != "" {
		req.Header.SetContentType(c.ctype)
	}
	if c.header[0] != "" {
		req.Header.Set(c.header[0], c.header[1])
	}
	if c.body != nil {
		req.SetBodyRaw(c.body)
	}
	j.addTo(req)
	if j.addr != "" {
		req.Header.Set("X-Forwarded-For", j.addr)
	}
	start := time.Now()
	err := r.hc.DoTimeout(req, resp, r.sc.Timeout.D())
	took := time.Since(start)
	if err != nil {
		return exchange{took: took, err: err}
	}
	j.takeFrom(resp)
	ex := exchange{status: resp.StatusCode(), took: took}
	if c.keep {
		ex.body = slices.Clone(resp.Body())
	}
	return ex
}

// record files a shopper exchange under step and reports whether it
// succeeded. Statuses in accept are right answers despite being 4xx (a
// decline at checkout). Exchanges cut short by the end of the run, or never
// sent because the budget ran out, are not the shop's doing and are not
// recorded.
func (r *runner) record(ctx context.Context, step string, ex exchange, accept ...int) bool {
	if ctx.Err() != nil || errors.Is(ex.err, errBudget) {
		return false
	}
	kind := classify(ex.status, ex.err)
	if kind == ErrStatus4xx && slices.Contains(accept, ex.status) {
		kind = ""
	}
	r.rec.Request(step, ex.took, ex.status, kind)
	return kind == ""
}

// newTransport serves the start-up catalog reads, which need no speed.
func newTransport() *http.Transport {
	return &http.Transport{Proxy: nil, MaxIdleConns: 2, IdleConnTimeout: 5 * time.Second, ResponseHeaderTimeout: time.Minute}
}

func targetURL(s string) (*url.URL, error) {
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil {
		return nil, fmt.Errorf("load: target %q must be an http(s) base URL", s)
	}
	return u, nil
}

// classify names what went wrong with an exchange ("" when nothing did).
func classify(status int, err error) string {
	switch {
	case err == nil && status < 400:
		return ""
	case err == nil && status < 500:
		return ErrStatus4xx
	case err == nil:
		return ErrStatus5xx
	}
	var to interface{ Timeout() bool } // fasthttp.ErrTimeout and net.Error both say so
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, fasthttp.ErrDialTimeout) || (errors.As(err, &to) && to.Timeout()) {
		return ErrTimeout
	}
	var oe *net.OpError
	if errors.As(err, &oe) || errors.Is(err, fasthttp.ErrConnectionClosed) || errors.Is(err, io.EOF) ||
		errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, fasthttp.ErrNoFreeConns) {
		return ErrConnection
	}
	return ErrOther
}
