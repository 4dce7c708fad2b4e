package cache

import (
	"strconv"
	"strings"
	"time"
)

// Directives is a parsed Cache-Control header. Durations are -1 when the
// directive is absent.
type Directives struct {
	NoStore, NoCache, Private, Public          bool
	MustRevalidate, ProxyRevalidate, Immutable bool
	MaxAge, SMaxAge                            time.Duration
	StaleWhileRevalidate, StaleIfError         time.Duration
}

// maxDelta caps delta-seconds as RFC 9111 section 1.2.2 advises.
const maxDelta = 2147483648 * time.Second

// ParseCacheControl parses one or more Cache-Control field values. It never
// fails: unknown directives are ignored, and an invalid or repeated lifetime
// resolves to the shortest value (an invalid one counts as zero), which errs
// towards freshness checks rather than serving something too old.
func ParseCacheControl(values []string) Directives {
	d := Directives{MaxAge: -1, SMaxAge: -1, StaleWhileRevalidate: -1, StaleIfError: -1}
	for _, v := range values {
		for len(v) > 0 {
			var name, arg string
			name, arg, v = nextDirective(v)
			switch strings.ToLower(name) {
			case "no-store":
				d.NoStore = true
			case "no-cache":
				// The qualified form (no-cache="field") is treated as plain
				// no-cache: safe, and what most caches do.
				d.NoCache = true
			case "private":
				d.Private = true
			case "public":
				d.Public = true
			case "must-revalidate":
				d.MustRevalidate = true
			case "proxy-revalidate":
				d.ProxyRevalidate = true
			case "immutable":
				d.Immutable = true
			case "max-age":
				d.MaxAge = minDelta(d.MaxAge, arg)
			case "s-maxage":
				d.SMaxAge = minDelta(d.SMaxAge, arg)
			case "stale-while-revalidate":
				d.StaleWhileRevalidate = minDelta(d.StaleWhileRevalidate, arg)
			case "stale-if-error":
				d.StaleIfError = minDelta(d.StaleIfError, arg)
			}
		}
	}
	return d
}

// nextDirective splits off the first directive of a Cache-Control value,
// honouring quoted strings (private="a, b") and backslash escapes in them.
func nextDirective(s string) (name, arg, rest string) {
	s = strings.TrimLeft(s, " \t,")
	i := 0
	for i < len(s) && s[i] != '=' && s[i] != ',' {
		i++
	}
	name = strings.TrimSpace(s[:i])
	if i >= len(s) || s[i] == ',' {
		return name, "", s[i:]
	}
	s = strings.TrimLeft(s[i+1:], " \t")
	if strings.HasPrefix(s, `"`) {
		var b strings.Builder
		j := 1
		for ; j < len(s) && s[j] != '"'; j++ {
			if s[j] == '\\' && j+1 < len(s) {
				j++
			}
			b.WriteByte(s[j])
		}
		if j < len(s) {
			j++ // closing quote
		}
		k := strings.IndexByte(s[j:], ',')
		if k < 0 {
			return name, b.String(), ""
		}
		return name, b.String(), s[j+k:]
	}
	k := strings.IndexByte(s, ',')
	if k < 0 {
		return name, strings.TrimSpace(s), ""
	}
	return name, strings.TrimSpace(s[:k]), s[k:]
}

func minDelta(cur time.Duration, arg string) time.Duration {
	d := parseDelta(arg)
	if cur >= 0 && cur < d {
		return cur
	}
	return d
}

// parseDelta parses delta-seconds; anything invalid is zero.
func parseDelta(s string) time.Duration {
	if s == "" {
		return 0
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0
		}
	}
	n, err := strconv.ParseUint(s, 10, 64)
	if err != nil || n > uint64(maxDelta/time.Second) {
		return maxDelta
	}
	return time.Duration(n) * time.Second
}
