package web_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"testing"
)

func cloneValues(v url.Values) url.Values {
	out := url.Values{}
	for k, vs := range v {
		out[k] = append([]string(nil), vs...)
	}
	return out
}

var (
	enrolSecretRe = regexp.MustCompile(`id="totp-secret">([A-Z2-7]+)<`)
	enrolMACRe    = regexp.MustCompile(`name="mac" value="([^"]+)"`)
)

// An administrator moves TOTP to a new app from the browser: the page shows
// the secret and its QR code, a wrong code changes nothing, the form needs
// its CSRF token and MAC, a right code switches the factor (the old one
// stops working) and is good once; wrong codes are throttled like sign-in.
func TestAdminEnrolTOTP(t *testing.T) {
	s := startShop(t)
	oldSecret := mustAdmin(t, s, "root@example.com")
	b := s.browser()
	signInPassword(b, "root@example.com")
	// Replacing needs the current factor first.
	wantStatus(t, b.get("/admin/enrol"), http.StatusNotFound, "enrol before TOTP")
	f := b.form("/admin/verify")
	f.Set("code", mustCode(t, oldSecret))
	wantStatus(t, b.post("/admin/verify", f), http.StatusSeeOther, "verify")

	p := b.get("/admin/enrol")
	wantStatus(t, p, http.StatusOK, "enrol page")
	wantContains(t, p, "enrol page", `src="data:image/png;base64,`, `href="otpauth://totp/`, `autocomplete="one-time-code"`)
	secret := enrolSecretRe.FindStringSubmatch(p.Body)[1]
	mac := enrolMACRe.FindStringSubmatch(p.Body)[1]
	if secret == oldSecret {
		t.Fatal("enrolment offered the old secret")
	}
	form := b.form("/admin/inventory")
	form.Set("secret", secret)
	form.Set("mac", mac)

	bad := cloneValues(form)
	bad.Del("csrf")
	bad.Set("code", mustCode(t, secret))
	if p := b.post("/admin/enrol", bad); p.Status < 400 {
		t.Fatalf("enrol without CSRF: %d", p.Status)
	}
	forged := cloneValues(form)
	forged.Set("secret", oldSecret)
	forged.Set("code", mustCode(t, oldSecret))
	wantStatus(t, b.post("/admin/enrol", forged), http.StatusUnprocessableEntity, "secret without its MAC")

	code := mustCode(t, secret)
	wrong := strconv.Itoa((mustAtoi(t, code) + 1) % 1000000)
	for len(wrong) < 6 {
		wrong = "0" + wrong
	}
	form.Set("code", wrong)
	p = b.post("/admin/enrol", form)
	wantStatus(t, p, http.StatusUnauthorized, "wrong code")
	wantContains(t, p, "wrong code kept the secret", `id="e-code"`, secret)

	form.Set("code", code)
	p = b.post("/admin/enrol", form)
	wantStatus(t, p, http.StatusSeeOther, "right code")
	wantContains(t, b.get("/admin/products"), "console after enrolment", "Wool Beanie")

	// The new secret is the factor now; the old one no longer verifies,
	// and the confirming code cannot be replayed.
	o := s.browser()
	signInPassword(o, "root@example.com")
	vf := o.form("/admin/verify")
	vf.Set("code", code)
	wantStatus(t, o.post("/admin/verify", vf), http.StatusUnauthorized, "replayed enrolment code")
	vf.Set("code", mustCode(t, oldSecret))
	if p := o.post("/admin/verify", vf); p.Status == http.StatusSeeOther {
		t.Fatal("the old secret still verifies")
	}

	// Wrong codes count in the throttle (a new session now: a fresh page).
	p = b.get("/admin/enrol")
	form = b.form("/admin/inventory")
	form.Set("secret", enrolSecretRe.FindStringSubmatch(p.Body)[1])
	form.Set("mac", enrolMACRe.FindStringSubmatch(p.Body)[1])
	last := 0
	for range 8 {
		form.Set("code", wrong)
		last = b.post("/admin/enrol", form).Status
	}
	if last != http.StatusTooManyRequests {
		t.Fatalf("after many wrong codes: %d, want 429", last)
	}
}
