package account

import (
	"strings"
	"testing"
)

func TestPasswordRoundTrip(t *testing.T) {
	p := PasswordParams{Memory: 64, Time: 1, Threads: 1}
	h := HashPassword("correct horse battery staple", p)
	if !strings.HasPrefix(h, "$argon2id$v=19$m=64,t=1,p=1$") {
		t.Fatalf("hash %q is not PHC argon2id", h)
	}
	if h == HashPassword("correct horse battery staple", p) {
		t.Error("two hashes of one password are equal: salt missing")
	}
	for pw, want := range map[string]bool{"correct horse battery staple": true, "correct horse battery stapl": false, "": false} {
		ok, err := VerifyPassword(pw, h)
		if err != nil || ok != want {
			t.Errorf("VerifyPassword(%q) = %v, %v; want %v", pw, ok, err, want)
		}
	}
}

func TestVerifyRefusesMalformedHashes(t *testing.T) {
	for _, h := range []string{"", "plain", "$argon2i$v=19$m=64,t=1,p=1$c2FsdA$a2V5", "$argon2id$v=18$m=64,t=1,p=1$c2FsdA$a2V5",
		"$argon2id$v=19$m=0,t=1,p=1$c2FsdA$a2V5", "$argon2id$v=19$m=99999999,t=1,p=1$c2FsdA$a2V5",
		"$argon2id$v=19$m=64,t=1,p=1$!!$a2V5", "$argon2id$v=19$m=64,t=1,p=1$c2FsdA$"} {
		if ok, err := VerifyPassword("x", h); ok || err == nil {
			t.Errorf("VerifyPassword(%q) = %v, %v; want an error", h, ok, err)
		}
	}
}

func TestTokens(t *testing.T) {
	tok := NewToken()
	if !ValidToken(tok) || ValidToken(tok[1:]) || ValidToken(tok[1:]+"!") || ValidToken("") {
		t.Fatalf("ValidToken disagrees with NewToken on %q", tok)
	}
	if SessionID(tok) == SessionID(NewToken()) || len(SessionID(tok)) != 64 {
		t.Error("session ids collide or have the wrong length")
	}
}

func TestSignUpValidate(t *testing.T) {
	cases := []struct {
		name  string
		req   SignUp
		field string
	}{
		{"ok", SignUp{Email: " Ada@Example.com ", Name: "Ada", Password: "long enough pw"}, ""},
		{"email", SignUp{Email: "Ada <ada@example.com>", Password: "long enough pw"}, "email"},
		{"no dot", SignUp{Email: "ada@localhost", Password: "long enough pw"}, "email"},
		{"short", SignUp{Email: "ada@example.com", Password: "short"}, "password"},
		{"name", SignUp{Email: "ada@example.com", Name: "a\nb", Password: "long enough pw"}, "name"},
		{"huge", SignUp{Email: "ada@example.com", Password: strings.Repeat("x", MaxPasswordLen+1)}, "password"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			c.req.Normalize()
			err := c.req.Validate()
			if c.field == "" {
				if err != nil || c.req.Email != "ada@example.com" {
					t.Fatalf("got %v, email %q", err, c.req.Email)
				}
				return
			}
			if err == nil || !strings.Contains(err.(interface{ Error() string }).Error(), "invalid") {
				t.Fatalf("got %v, want invalid %s", err, c.field)
			}
		})
	}
}
