package loadgen

import (
	"net/http"
	"net/url"
	"sync"
	"time"
)

// jar is a shopper's cookie jar. A session only ever talks to one site, the
// target, so it keeps cookies by name alone: what a browser would send to
// that site, without net/http/cookiejar's per-request domain and path
// matching (which costs more than a small request at 20,000 a second). It
// honours expiry and deletion (Max-Age < 0 or an Expires in the past), which
// is what sign-out and session rotation rely on.
type jar struct {
	mu      sync.Mutex
	cookies []*http.Cookie
}

// SetCookies implements http.CookieJar.
func (j *jar) SetCookies(_ *url.URL, cs []*http.Cookie) {
	j.mu.Lock()
	defer j.mu.Unlock()
	now := time.Now()
	for _, c := range cs {
		gone := c.MaxAge < 0 || (!c.Expires.IsZero() && c.Expires.Before(now))
		kept := &http.Cookie{Name: c.Name, Value: c.Value}
		replaced := false
		for i, old := range j.cookies {
			if old.Name == c.Name {
				if gone {
					j.cookies = append(j.cookies[:i], j.cookies[i+1:]...)
				} else {
					j.cookies[i] = kept
				}
				replaced = true
				break
			}
		}
		if !replaced && !gone {
			j.cookies = append(j.cookies, kept)
		}
	}
}

// Cookies implements http.CookieJar.
func (j *jar) Cookies(*url.URL) []*http.Cookie {
	j.mu.Lock()
	defer j.mu.Unlock()
	if len(j.cookies) == 0 {
		return nil
	}
	return append([]*http.Cookie(nil), j.cookies...)
}
