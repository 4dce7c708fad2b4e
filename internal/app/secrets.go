package app

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"fmt"
	"io"
)

// Settings names in the store.
const (
	settingAdminTokenHash = "admin_token_sha256"
	settingOrderSecret    = "order_token_secret"
)

// settingStore is the part of the store that keeps the shop's own secrets.
type settingStore interface {
	InitSetting(ctx context.Context, name, value string) (string, error)
}

// adminAuth checks bearer tokens against the admin token's hash. Only the
// hash is stored, so a generated token is shown exactly once.
type adminAuth struct{ hash []byte }

func (a adminAuth) IsAdmin(token string) bool {
	sum := sha256.Sum256([]byte(token))
	return subtle.ConstantTimeCompare(sum[:], a.hash) == 1
}

// setupAdmin uses PEAKSHOP_ADMIN_TOKEN when given; otherwise it generates a
// token at first start, stores its hash and prints the token once to out.
func setupAdmin(ctx context.Context, st settingStore, fromEnv string, out io.Writer) (adminAuth, error) {
	if fromEnv != "" {
		sum := sha256.Sum256([]byte(fromEnv))
		return adminAuth{hash: sum[:]}, nil
	}
	token := "adm_" + randomHex(24)
	sum := sha256.Sum256([]byte(token))
	stored, err := st.InitSetting(ctx, settingAdminTokenHash, hex.EncodeToString(sum[:]))
	if err != nil {
		return adminAuth{}, fmt.Errorf("admin token: %w", err)
	}
	if stored == hex.EncodeToString(sum[:]) {
		fmt.Fprintf(out, "\n  Admin token (shown once, keep it): %s\n  Set PEAKSHOP_ADMIN_TOKEN to choose your own.\n\n", token)
	}
	h, err := hex.DecodeString(stored)
	if err != nil {
		return adminAuth{}, fmt.Errorf("stored admin token hash is corrupt: %w", err)
	}
	return adminAuth{hash: h}, nil
}

// orderSecret returns the key that derives order access tokens, made once
// per shop and shared by every instance through the database.
func orderSecret(ctx context.Context, st settingStore) ([]byte, error) {
	s, err := st.InitSetting(ctx, settingOrderSecret, randomHex(32))
	if err != nil {
		return nil, fmt.Errorf("order token secret: %w", err)
	}
	return hex.DecodeString(s)
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // never fails on supported platforms
	return hex.EncodeToString(b)
}
