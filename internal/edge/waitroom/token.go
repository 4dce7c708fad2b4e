package waitroom

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// token is the cookie's content: a queued ticket or an admission.
type token struct {
	admitted bool
	id       string // random per visitor
	seq      int64  // place in line (queued tickets)
	issued   time.Time
}

func (t token) payload() string {
	kind := "q"
	if t.admitted {
		kind = "a"
	}
	return fmt.Sprintf("v1.%s.%s.%d.%d", kind, t.id, t.seq, t.issued.Unix())
}

func sign(secret []byte, payload string) string {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte(payload))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

func (t token) encode(secret []byte) string {
	p := t.payload()
	return p + "." + sign(secret, p)
}

// decodeToken verifies and parses a cookie value.
func decodeToken(secret []byte, v string) (token, bool) {
	i := strings.LastIndexByte(v, '.')
	if i < 0 {
		return token{}, false
	}
	payload, sig := v[:i], v[i+1:]
	if !hmac.Equal([]byte(sig), []byte(sign(secret, payload))) {
		return token{}, false
	}
	parts := strings.Split(payload, ".")
	if len(parts) != 5 || parts[0] != "v1" || (parts[1] != "q" && parts[1] != "a") {
		return token{}, false
	}
	seq, err1 := strconv.ParseInt(parts[3], 10, 64)
	unix, err2 := strconv.ParseInt(parts[4], 10, 64)
	if err1 != nil || err2 != nil || parts[2] == "" {
		return token{}, false
	}
	return token{admitted: parts[1] == "a", id: parts[2], seq: seq, issued: time.Unix(unix, 0)}, true
}
