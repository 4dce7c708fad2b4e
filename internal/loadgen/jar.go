package loadgen

import (
	"time"

	"github.com/valyala/fasthttp"
)

// jar is a shopper's cookie jar. A session only ever talks to one site, the
// target, so it keeps cookies by name alone: what a browser would send to
// that site, without per-request domain and path matching. It honours
// deletion (Max-Age < 0, or an Expires in the past), which sign-out and
// session rotation rely on. A session is one goroutine, so no lock.
type jar struct {
	names, values []string
	addr          string // X-Forwarded-For of the session, with Config.ForwardedFor
}

func (j *jar) addTo(req *fasthttp.Request) {
	for i, n := range j.names {
		req.Header.SetCookie(n, j.values[i])
	}
}

func (j *jar) takeFrom(resp *fasthttp.Response) {
	var c *fasthttp.Cookie
	for _, raw := range resp.Header.Cookies() {
		if c == nil {
			c = fasthttp.AcquireCookie()
			defer fasthttp.ReleaseCookie(c)
		}
		if c.ParseBytes(raw) != nil {
			continue
		}
		exp := c.Expire()
		j.set(string(c.Key()), string(c.Value()),
			c.MaxAge() < 0 || (exp != fasthttp.CookieExpireUnlimited && exp.Before(time.Now())))
	}
}

func (j *jar) set(name, value string, gone bool) {
	for i, n := range j.names {
		if n != name {
			continue
		}
		if gone {
			j.names = append(j.names[:i], j.names[i+1:]...)
			j.values = append(j.values[:i], j.values[i+1:]...)
		} else {
			j.values[i] = value
		}
		return
	}
	if !gone {
		j.names, j.values = append(j.names, name), append(j.values, value)
	}
}
