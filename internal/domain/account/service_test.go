package account_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/peakshop/peakshop/internal/domain/account"
	"github.com/peakshop/peakshop/internal/domain/apperr"
	"github.com/peakshop/peakshop/internal/domain/catalog"
	"github.com/peakshop/peakshop/internal/domain/money"
	"github.com/peakshop/peakshop/internal/platform/ids"
	"github.com/peakshop/peakshop/internal/storage/sqlstore"
	"github.com/peakshop/peakshop/internal/storage/storetest"
)

// newService runs the service on a real SQLite store with cheap hashing.
func newService(t *testing.T) (*account.Service, *sqlstore.Store) {
	t.Helper()
	st := storetest.OpenSQLite(t)
	ten := 10
	err := st.ImportCatalog(context.Background(), []catalog.Category{{Slug: "hats", Name: "Hats"}}, []catalog.Draft{
		{Slug: "beanie", Name: "Beanie", Category: "hats", Variants: []catalog.VariantDraft{
			{SKU: "B-1", Name: "Grey", Price: money.Money{Amount: 1000, Currency: "USD"}, Available: &ten},
			{SKU: "B-2", Name: "Red", Price: money.Money{Amount: 1000, Currency: "USD"}, Available: &ten}}},
	})
	if err != nil {
		t.Fatal(err)
	}
	svc := account.NewService(st, st, account.Config{Password: account.PasswordParams{Memory: 64, Time: 1, Threads: 1}},
		slog.New(slog.NewTextHandler(io.Discard, nil)))
	return svc, st
}

func mustGuestCart(t *testing.T, st *sqlstore.Store, lines map[string]int) string {
	t.Helper()
	ctx := context.Background()
	id := ids.New("cart", time.Now())
	if err := st.CreateCart(ctx, id, time.Now()); err != nil {
		t.Fatal(err)
	}
	for sku, q := range lines {
		if err := st.SetQuantity(ctx, id, sku, q, time.Now()); err != nil {
			t.Fatal(err)
		}
	}
	return id
}

func TestSignUpSignInMergesCarts(t *testing.T) {
	ctx := context.Background()
	svc, st := newService(t)
	guestTok := account.NewToken()
	guest, err := svc.StartSession(ctx, guestTok)
	if err != nil {
		t.Fatal(err)
	}
	if guest, err = svc.SetCart(ctx, guest, mustGuestCart(t, st, map[string]int{"B-1": 2})); err != nil {
		t.Fatal(err)
	}
	tok, sess, err := svc.SignUp(ctx, account.SignUp{Email: "Ada@Example.com", Name: "Ada", Password: "a long passphrase"}, guest)
	if err != nil {
		t.Fatal(err)
	}
	if !sess.SignedIn() || sess.CartID != guest.CartID || tok == guestTok {
		t.Fatalf("after sign-up: %+v (the guest cart should become the account's, under a new token)", sess)
	}
	if _, err := svc.Session(ctx, guestTok); !apperr.Is(err, apperr.NotFound) {
		t.Errorf("guest session still alive after sign-up: %v", err)
	}
	if _, _, err := svc.SignUp(ctx, account.SignUp{Email: "ada@example.com", Password: "another passphrase"}, account.Session{}); !apperr.Is(err, apperr.Conflict) {
		t.Errorf("second sign-up with the address = %v, want Conflict", err)
	}

	// Signed out, a new guest cart; signing in sums it into the account's.
	if err := svc.SignOut(ctx, tok); err != nil {
		t.Fatal(err)
	}
	guest2, _ := svc.StartSession(ctx, account.NewToken())
	guest2, _ = svc.SetCart(ctx, guest2, mustGuestCart(t, st, map[string]int{"B-1": 99, "B-2": 1}))
	_, sess, err = svc.SignIn(ctx, account.Credentials{Email: " ADA@example.com", Password: "a long passphrase", IP: "192.0.2.1"}, guest2)
	if err != nil {
		t.Fatal(err)
	}
	c, err := st.Cart(ctx, sess.CartID)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]int{}
	for _, it := range c.Items {
		got[it.SKU] = it.Quantity
	}
	if sess.CartID != guest.CartID || got["B-1"] != 100 || got["B-2"] != 1 {
		t.Errorf("merged cart %s = %v, want the account cart with B-1 capped at 100 and B-2 1", sess.CartID, got)
	}
}

func TestSignInThrottle(t *testing.T) {
	ctx := context.Background()
	svc, _ := newService(t)
	if _, _, err := svc.SignUp(ctx, account.SignUp{Email: "ada@example.com", Password: "a long passphrase"}, account.Session{}); err != nil {
		t.Fatal(err)
	}
	for i := range 5 {
		_, _, err := svc.SignIn(ctx, account.Credentials{Email: "ada@example.com", Password: "wrong password", IP: "192.0.2.1"}, account.Session{})
		if !errors.Is(err, account.ErrBadCredentials) {
			t.Fatalf("attempt %d: %v, want bad credentials", i+1, err)
		}
	}
	_, _, err := svc.SignIn(ctx, account.Credentials{Email: "ada@example.com", Password: "a long passphrase", IP: "192.0.2.9"}, account.Session{})
	if !errors.Is(err, account.ErrTooManyAttempts) {
		t.Fatalf("sixth attempt with the right password = %v, want throttled", err)
	}
	// An unknown address is refused the same way and counts too.
	_, _, err = svc.SignIn(ctx, account.Credentials{Email: "nobody@example.com", Password: "whatever", IP: "192.0.2.1"}, account.Session{})
	if !errors.Is(err, account.ErrBadCredentials) {
		t.Fatalf("unknown address = %v", err)
	}
	if _, _, err := svc.SignIn(ctx, account.Credentials{}, account.Session{}); !apperr.Is(err, apperr.Invalid) {
		t.Errorf("empty credentials = %v, want Invalid", err)
	}
}

func TestSetCartLosesRaceGracefully(t *testing.T) {
	ctx := context.Background()
	svc, st := newService(t)
	sess, _ := svc.StartSession(ctx, account.NewToken())
	first, err := svc.SetCart(ctx, sess, mustGuestCart(t, st, nil))
	if err != nil {
		t.Fatal(err)
	}
	// sess is stale (no cart): the second writer gets the first one's cart.
	second, err := svc.SetCart(ctx, sess, mustGuestCart(t, st, nil))
	if err != nil || second.CartID != first.CartID {
		t.Fatalf("second SetCart = %+v, %v; want the first cart %s", second, err, first.CartID)
	}
}
