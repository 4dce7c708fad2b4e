package cache

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

func FuzzParseCacheControl(f *testing.F) {
	for _, s := range []string{
		"max-age=60", "s-maxage=0, max-age=10", `private="Set-Cookie, X", max-age=5`,
		"no-store,no-cache", "max-age=99999999999999999999", "max-age=-1", `max-age="30"`,
		"stale-while-revalidate=30, stale-if-error=600", ",,,=,", `"unterminated`, "MAX-AGE=7",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d := ParseCacheControl([]string{s})
		for _, v := range []int64{int64(d.MaxAge), int64(d.SMaxAge), int64(d.StaleWhileRevalidate), int64(d.StaleIfError)} {
			if v < -1 || v > int64(maxDelta) {
				t.Fatalf("duration out of range: %d for %q", v, s)
			}
		}
		// Splitting a value over two field lines must not change the result
		// for simple, unquoted values.
		if !strings.ContainsAny(s, `"\`) {
			if i := strings.IndexByte(s, ','); i >= 0 {
				d2 := ParseCacheControl([]string{s[:i], s[i+1:]})
				if d2 != d {
					t.Fatalf("split changed result for %q: %+v vs %+v", s, d, d2)
				}
			}
		}
	})
}

func TestParseCacheControl(t *testing.T) {
	d := ParseCacheControl([]string{`Private="a, b", MAX-AGE=60, s-maxage=30, s-maxage=90, stale-if-error=x, no-cache`})
	if !d.Private || !d.NoCache || d.MaxAge != 60e9 || d.SMaxAge != 30e9 || d.StaleIfError != 0 || d.StaleWhileRevalidate != -1 {
		t.Fatalf("%+v", d)
	}
	if d := ParseCacheControl([]string{"max-age=99999999999999999999"}); d.MaxAge != maxDelta {
		t.Errorf("overflow: %v", d.MaxAge)
	}
}

func FuzzKey(f *testing.F) {
	f.Add("shop.test:80", "/p/1", "b=2&a=1&utm_source=x")
	f.Add("SHOP.test", "/%20x", "a=%zz&&gclid=1")
	f.Add("", "", "utm_=&UTM_CAMPAIGN=1")
	f.Fuzz(func(t *testing.T, host, path, rawQuery string) {
		k := Keyer{IgnoreParams: DefaultIgnoreParams()}
		u := &url.URL{Path: path, RawQuery: rawQuery}
		key := k.Key(host, u)
		if key != k.Key(host, u) {
			t.Fatal("key not deterministic")
		}
		// Adding a tracking parameter never changes the key.
		u2 := &url.URL{Path: path, RawQuery: rawQuery + "&utm_medium=fuzz"}
		if k.Key(host, u2) != key {
			t.Fatalf("utm param changed key: %q vs %q", key, k.Key(host, u2))
		}
		// Reordering distinct parameters never changes the key.
		parts := strings.Split(rawQuery, "&")
		if len(parts) == 2 {
			n0, _, _ := strings.Cut(parts[0], "=")
			n1, _, _ := strings.Cut(parts[1], "=")
			if n0 != n1 && !strings.Contains(rawQuery, "%") {
				u3 := &url.URL{Path: path, RawQuery: parts[1] + "&" + parts[0]}
				if k.Key(host, u3) != key {
					t.Fatalf("reorder changed key: %q vs %q", key, k.Key(host, u3))
				}
			}
		}
		// The key never contains the variant separator used for Vary.
		if strings.Contains(key, "\x00") && !strings.Contains(path+rawQuery+host, "\x00") {
			t.Fatal("separator in key")
		}
		_ = variantKey(key, []string{"Accept-Encoding"}, &http.Request{Header: http.Header{"Accept-Encoding": {rawQuery}}})
	})
}
