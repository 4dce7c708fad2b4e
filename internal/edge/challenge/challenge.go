package challenge

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// CookieName carries the solved challenge.
const CookieName = "peakshop_pass"

// Config configures a Challenger.
type Config struct {
	// Secret signs nonces; edge instances behind one name need the same
	// one, or a pass from one is refused by the others. Empty means a
	// random per-process secret.
	Secret []byte
	// Pass is how long a solved challenge lets the client through; 0
	// means 30 minutes.
	Pass time.Duration
	// Bits is the work: leading zero bits of the hash, 0 means 16 (about
	// 65,000 hashes); at most 24.
	Bits int
}

// Challenger issues and verifies challenges.
type Challenger struct {
	key  []byte
	pass time.Duration
	bits int
}

// New builds a Challenger.
func New(cfg Config) (*Challenger, error) {
	c := &Challenger{key: cfg.Secret, pass: cfg.Pass, bits: cfg.Bits}
	if c.pass == 0 {
		c.pass = 30 * time.Minute
	}
	if c.bits == 0 {
		c.bits = 16
	}
	if c.pass < 0 || c.bits < 1 || c.bits > 24 {
		return nil, errors.New("challenge: pass must be positive and bits 1-24")
	}
	if len(c.key) == 0 {
		c.key = make([]byte, 32)
		if _, err := rand.Read(c.key); err != nil {
			return nil, fmt.Errorf("challenge: secret: %w", err)
		}
	}
	// Derive our own key, so a secret shared with another use (the edge
	// passes the waiting room's) never signs the same thing for both.
	m := hmac.New(sha256.New, c.key)
	m.Write([]byte("peakshop edge challenge v1"))
	c.key = m.Sum(nil)
	return c, nil
}

// nonce is "<expiry unix seconds>.<mac>", the mac binding the expiry to
// the client address.
func (c *Challenger) nonce(client string, now time.Time) string {
	exp := strconv.FormatInt(now.Add(c.pass).Unix(), 10)
	return exp + "." + c.mac(exp, client)
}

func (c *Challenger) mac(exp, client string) string {
	m := hmac.New(sha256.New, c.key)
	m.Write([]byte(exp + "|" + client))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil)[:16])
}

// Passed reports whether r carries a solved, unexpired challenge issued to
// client.
func (c *Challenger) Passed(r *http.Request, client string, now time.Time) bool {
	ck, err := r.Cookie(CookieName)
	if err != nil {
		return false
	}
	exp, rest, ok := strings.Cut(ck.Value, ".")
	if !ok {
		return false
	}
	mac, counter, ok := strings.Cut(rest, ".")
	if !ok {
		return false
	}
	e, err := strconv.ParseInt(exp, 10, 64)
	if err != nil || now.Unix() >= e {
		return false
	}
	if !hmac.Equal([]byte(mac), []byte(c.mac(exp, client))) {
		return false
	}
	return leadingZeros(hash(exp+"."+mac, counter)) >= c.bits
}

// hash is FNV-1a 32 over nonce "." counter, written out so the page's
// script can do exactly the same (see page.go).
func hash(nonce, counter string) uint32 {
	h := uint32(2166136261)
	for _, s := range [...]string{nonce, ".", counter} {
		for i := 0; i < len(s); i++ {
			h ^= uint32(s[i])
			h *= 16777619
		}
	}
	return h
}

func leadingZeros(h uint32) int {
	n := 0
	for mask := uint32(1) << 31; mask != 0 && h&mask == 0; mask >>= 1 {
		n++
	}
	return n
}

// Solve does what the page's script does: it returns the cookie value
// that answers nonce. Tests use it to play the browser.
func Solve(nonce string, bits int) string {
	for i := 0; ; i++ {
		counter := strconv.Itoa(i)
		if leadingZeros(hash(nonce, counter)) >= bits {
			return nonce + "." + counter
		}
	}
}
