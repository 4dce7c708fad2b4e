package loadgen

import (
	"context"
	"errors"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// Attacks a hostile session may make, the keys of Result.Hostile.
const (
	AttackScraper   = "scraper"
	AttackStuffing  = "credential_stuffing"
	AttackInjection = "injection"
)

// injectionProbes are the classics a firewall must stop and the shop must
// survive (escaped output, parameterised SQL) when nothing stops them.
func injectionProbes() []string {
	return []string{
		"' OR 1=1--", `"><script>alert(1)</script>`, "<script>alert(document.cookie)</script>",
		"1; DROP TABLE products;--", "' UNION SELECT password FROM customers--", "../../../../etc/passwd",
		"${jndi:ldap://127.0.0.1/x}", "{{7*7}}",
	}
}

// hostile runs one hostile session: Burst requests back to back, no
// thinking, the way bots behave.
func (r *runner) hostile(ctx context.Context, j *jar, rng *rand.Rand) {
	r.rec.funnel.hostileSessions.Add(1)
	h := r.sc.Hostile
	attack := AttackInjection
	switch x := rng.Float64() * (h.Scraper + h.CredentialStuffing + h.Injection); {
	case x < h.Scraper:
		attack = AttackScraper
	case x < h.Scraper+h.CredentialStuffing:
		attack = AttackStuffing
	}
	csrf := ""
	if attack == AttackStuffing {
		// Stuffers fetch the form first for its cookie and token, as a
		// browser would; that is what makes them hard to tell from people.
		ex := r.do(ctx, j, call{method: http.MethodGet, path: "/account/signin", keep: true})
		if !r.recordHostile(ctx, attack, ex) {
			return
		}
		csrf = formToken(ex.body)
	}
	probes := injectionProbes()
	for i := range h.Burst {
		var c call
		switch attack {
		case AttackScraper:
			term := pick(rng, r.sc.SearchTerms)
			c = call{method: http.MethodGet, path: "/search?q=" + url.QueryEscape(term) + "&page=" + strconv.Itoa(i+1)}
			if i%2 == 1 {
				c.path = "/api/v1/products?limit=100&q=" + url.QueryEscape(term)
			}
		case AttackStuffing:
			form := url.Values{"email": {"user" + strconv.Itoa(rng.IntN(1_000_000)) + "@example.com"},
				"password": {"hunter" + strconv.Itoa(rng.IntN(10_000))}, "csrf": {csrf}}
			c = call{method: http.MethodPost, path: "/account/signin", ctype: "application/x-www-form-urlencoded", body: []byte(form.Encode())}
		default:
			p := url.QueryEscape(pick(rng, probes))
			switch i % 3 {
			case 0:
				c = call{method: http.MethodGet, path: "/search?q=" + p}
			case 1:
				c = call{method: http.MethodGet, path: "/api/v1/products?q=" + p}
			default:
				c = call{method: http.MethodGet, path: "/products/" + url.PathEscape(pick(rng, probes))}
			}
		}
		if !r.recordHostile(ctx, attack, r.do(ctx, j, c)) {
			return
		}
	}
}

// recordHostile files a hostile exchange and reports whether the bot goes
// on: not once the schedule is over. Bots have no journey to finish, so they
// get no graceful stop; that is for shoppers (and a slow sign-in would
// otherwise keep a run going).
func (r *runner) recordHostile(ctx context.Context, attack string, ex exchange) bool {
	if ctx.Err() != nil || errors.Is(ex.err, errBudget) {
		return false
	}
	r.rec.Hostile(attack, ex.status, ex.err)
	select {
	case <-r.stopped:
		return false
	default:
		return true
	}
}

// formToken pulls the csrf hidden field out of a page without an HTML
// parser: the generator only needs the one value.
func formToken(page []byte) string {
	s := string(page)
	i := strings.Index(s, `name="csrf" value="`)
	if i < 0 {
		return ""
	}
	s = s[i+len(`name="csrf" value="`):]
	if j := strings.IndexByte(s, '"'); j >= 0 {
		return s[:j]
	}
	return ""
}
