package loadgen

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"slices"
	"time"
)

// errBudget ends a session when the run's request budget is spent.
var errBudget = errors.New("request budget spent")

// maxBody is how much of a response the generator reads into memory (JSON
// it must parse); pages are read to the end and thrown away.
const maxBody = 4 << 20

// newTransport is shared by every session: connections are pooled like a
// CDN's or a browser fleet's would be, so the shop sees keep-alive traffic
// from a realistic number of sockets, and the generator stays cheap.
func newTransport(maxConns int) *http.Transport {
	return &http.Transport{
		Proxy:                 nil, // a load test never goes through an environment proxy
		DialContext:           (&net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		MaxIdleConns:          maxConns,
		MaxIdleConnsPerHost:   maxConns,
		IdleConnTimeout:       30 * time.Second,
		ResponseHeaderTimeout: time.Minute,
		DisableCompression:    true, // measure the shop, not our gunzip
	}
}

// sessionClient is one shopper's browser: its own cookie jar, the shared
// transport, and no redirect following (a 303 after a form is an answer;
// following it would count a second request the step did not ask for).
func sessionClient(tr http.RoundTripper, timeout time.Duration) *http.Client {
	return &http.Client{
		Transport: tr, Jar: &jar{}, Timeout: timeout,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// exchange is one finished request.
type exchange struct {
	status int
	body   []byte
	took   time.Duration
	err    error
}

// call describes one request.
type call struct {
	method, path, ctype string
	body                []byte
	header              [2]string // one extra header, name and value
	keep                bool      // read the body into exchange.body
}

// do sends a request to the target with the synthetic baggage and reads the
// answer. It spends one request of the run's budget first.
func (r *runner) do(ctx context.Context, hc *http.Client, c call) exchange {
	if !r.rec.reserve(r.sc.MaxRequests) {
		r.stop(StopMaxRequests)
		r.cutSessions()
		return exchange{err: errBudget}
	}
	var body io.Reader
	if c.body != nil {
		body = bytes.NewReader(c.body)
	}
	req, err := http.NewRequestWithContext(ctx, c.method, r.base+c.path, body)
	if err != nil {
		return exchange{err: fmt.Errorf("build request: %w", err)}
	}
	// W3C baggage: the shop keeps synthetic traffic out of its business
	// figures (orders, revenue) while still counting it as load.
	// Canonical keys assigned directly: Header.Set would canonicalise and
	// allocate on every one of tens of thousands of requests a second.
	req.Header["Baggage"] = r.hdr.baggage
	req.Header["User-Agent"] = r.hdr.agent
	if c.ctype != "" {
		req.Header["Content-Type"] = []string{c.ctype}
	}
	if c.header[0] != "" {
		req.Header.Set(c.header[0], c.header[1])
	}
	start := time.Now()
	resp, err := hc.Do(req)
	if err != nil {
		return exchange{took: time.Since(start), err: err}
	}
	defer resp.Body.Close()
	ex := exchange{status: resp.StatusCode}
	if c.keep {
		ex.body, ex.err = io.ReadAll(io.LimitReader(resp.Body, maxBody))
	} else {
		_, ex.err = io.Copy(io.Discard, resp.Body)
	}
	ex.took = time.Since(start)
	return ex
}

// userAgent says who we are, so logs and firewalls can tell us apart.
const userAgent = "peakshop-load/1 (synthetic)"

// errMalformed marks an answer the generator could not understand.
var errMalformed = errors.New("malformed answer")

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

// fixedHeaders are the values every request carries, built once per run and
// only read afterwards (the transport never writes to request headers).
type fixedHeaders struct{ baggage, agent []string }

func newFixedHeaders() fixedHeaders {
	return fixedHeaders{baggage: []string{"synthetic=true"}, agent: []string{userAgent}}
}
