package account

import (
	"crypto/subtle"
	"fmt"
	"strings"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"
)

// TOTP (RFC 6238) is the administrators' second factor: the codes of any
// authenticator app (SHA-1, 6 digits, 30-second steps, the settings every app
// supports). github.com/pquerna/otp makes the secrets, URIs and codes; the
// step a code belongs to is found here, because the replay rule (a code is
// good once) needs the step and the library reports only yes or no.
const (
	totpPeriod = 30 // seconds
	totpDigits = otp.DigitsSix
	// totpSkew is how many steps either side of now are accepted, for clocks
	// a little off and codes typed near the end of their step.
	totpSkew = 1
)

// Enrolment is a new TOTP secret as an authenticator app takes it: the
// otpauth:// URI (for a QR code or a link) and the base32 secret to type.
type Enrolment struct {
	Secret string
	URI    string
}

// NewEnrolment makes a fresh 160-bit TOTP secret for the account email.
func NewEnrolment(issuer, email string) (Enrolment, error) {
	k, err := totp.Generate(totp.GenerateOpts{Issuer: issuer, AccountName: email, Period: totpPeriod,
		Digits: totpDigits, Algorithm: otp.AlgorithmSHA1})
	if err != nil {
		return Enrolment{}, fmt.Errorf("generate totp secret: %w", err)
	}
	return Enrolment{Secret: k.Secret(), URI: k.URL()}, nil
}

// TOTPCode returns the code for secret at t, for tests and tools.
func TOTPCode(secret string, t time.Time) (string, error) {
	return totp.GenerateCodeCustom(secret, t, totp.ValidateOpts{Period: totpPeriod, Digits: totpDigits, Algorithm: otp.AlgorithmSHA1})
}

// matchTOTP returns the time step whose code is code, looking totpSkew steps
// either side of now. Codes are compared in constant time.
func matchTOTP(secret, code string, now time.Time) (int64, bool) {
	code = strings.ReplaceAll(strings.TrimSpace(code), " ", "")
	if len(code) != totpDigits.Length() {
		return 0, false
	}
	found, step := false, int64(0)
	for d := -totpSkew; d <= totpSkew; d++ {
		t := now.Add(time.Duration(d*totpPeriod) * time.Second)
		want, err := TOTPCode(secret, t)
		if err != nil {
			return 0, false
		}
		if subtle.ConstantTimeCompare([]byte(want), []byte(code)) == 1 && !found {
			found, step = true, t.Unix()/totpPeriod
		}
	}
	return step, found
}
