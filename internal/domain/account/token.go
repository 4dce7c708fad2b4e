package account

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
)

// tokenLen is the length of a session token: 32 random bytes in unpadded
// base64url.
const tokenLen = 43

// NewToken returns a fresh session token for a cookie: 256 random bits.
func NewToken() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b) // crypto/rand.Read never fails on supported platforms
	return base64.RawURLEncoding.EncodeToString(b)
}

// ValidToken reports whether s has the shape NewToken makes, so garbage in a
// cookie is turned away before it costs a database read.
func ValidToken(s string) bool {
	if len(s) != tokenLen {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

// SessionID is what the store keeps for a token: its SHA-256 in hex. The
// token has 256 bits of entropy, so a plain hash is as good as a slow one,
// and a copy of the sessions table opens no session.
func SessionID(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}
