package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/peakshop/peakshop/internal/domain/account"
	"github.com/peakshop/peakshop/internal/domain/apperr"
	"github.com/peakshop/peakshop/internal/platform/ids"
	"github.com/peakshop/peakshop/internal/storage/sqlstore"
)

// testStorefront checks what the storefront adds to the store: customers,
// sessions, the sign-in throttle, the link from orders to the customer who
// placed them, and the product lookup by SKU that names cart lines.
func testStorefront(t *testing.T, s *sqlstore.Store) {
	mustSeed(t, s)
	t.Run("customers", func(t *testing.T) { testCustomers(t, s) })
	t.Run("sessions", func(t *testing.T) { testSessions(t, s) })
	t.Run("throttle", func(t *testing.T) { testSignInThrottle(t, s) })
	t.Run("orders", func(t *testing.T) { testCustomerOrders(t, s) })
	t.Run("products by sku", func(t *testing.T) { testProductsBySKU(t, s) })
}

func mustCustomer(tb testing.TB, s *sqlstore.Store, email string) account.Customer {
	tb.Helper()
	now := time.Now().UTC().Truncate(time.Microsecond)
	c := account.Customer{ID: ids.New("cus", now), Email: email, Name: "Ada", CreatedAt: now}
	mustNoErr(tb, s.CreateCustomer(context.Background(), c, "$argon2id$hash-of-"+email), "create customer")
	return c
}

func testCustomers(t *testing.T, s *sqlstore.Store) {
	ctx := context.Background()
	c := mustCustomer(t, s, "ada@example.com")
	got, hash, err := s.CustomerByEmail(ctx, "ada@example.com")
	mustNoErr(t, err, "customer by email")
	if got.ID != c.ID || got.Name != "Ada" || got.CartID != "" || !got.CreatedAt.Equal(c.CreatedAt) || hash != "$argon2id$hash-of-ada@example.com" {
		t.Errorf("customer = %+v, %q; want %+v", got, hash, c)
	}
	dup := account.Customer{ID: ids.New("cus", time.Now()), Email: "ada@example.com", CreatedAt: time.Now()}
	wantKind(t, s.CreateCustomer(ctx, dup, "x"), apperr.Conflict)
	_, _, err = s.CustomerByEmail(ctx, "nobody@example.com")
	wantKind(t, err, apperr.NotFound)

	cart := mustCart(t, s)
	ok, err := s.SetCustomerCart(ctx, c.ID, cart, "")
	mustNoErr(t, err, "set customer cart")
	if !ok {
		t.Fatal("first SetCustomerCart did not set")
	}
	if ok, _ := s.SetCustomerCart(ctx, c.ID, mustCart(t, s), ""); ok {
		t.Error("SetCustomerCart with a stale expectation set the cart")
	}
	if got, _, _ := s.CustomerByEmail(ctx, c.Email); got.CartID != cart {
		t.Errorf("cart = %q, want %q", got.CartID, cart)
	}
}

func testSessions(t *testing.T, s *sqlstore.Store) {
	ctx := context.Background()
	now := time.Now().UTC().Truncate(time.Microsecond)
	guest := account.Session{ID: account.SessionID(account.NewToken()), CreatedAt: now, ExpiresAt: now.Add(time.Hour)}
	mustNoErr(t, s.CreateSession(ctx, guest), "create guest session")
	got, err := s.Session(ctx, guest.ID, now)
	mustNoErr(t, err, "session")
	if got.SignedIn() || got.CartID != "" || !got.ExpiresAt.Equal(guest.ExpiresAt) {
		t.Errorf("guest session = %+v", got)
	}
	cart := mustCart(t, s)
	if ok, err := s.SetSessionCart(ctx, guest.ID, cart, ""); err != nil || !ok {
		t.Fatalf("set session cart = %v, %v", ok, err)
	}
	if ok, _ := s.SetSessionCart(ctx, guest.ID, mustCart(t, s), ""); ok {
		t.Error("SetSessionCart with a stale expectation set the cart")
	}
	if got, _ := s.Session(ctx, guest.ID, now); got.CartID != cart {
		t.Errorf("session cart = %q, want %q", got.CartID, cart)
	}
	_, err = s.Session(ctx, guest.ID, now.Add(2*time.Hour))
	wantKind(t, err, apperr.NotFound)

	// A signed-in session sees the account's cart, not its own column.
	c := mustCustomer(t, s, "grace@example.com")
	acctCart := mustCart(t, s)
	if _, err := s.SetCustomerCart(ctx, c.ID, acctCart, ""); err != nil {
		t.Fatal(err)
	}
	signed := account.Session{ID: account.SessionID(account.NewToken()), CustomerID: c.ID, CreatedAt: now, ExpiresAt: now.Add(time.Hour)}
	mustNoErr(t, s.CreateSession(ctx, signed), "create signed-in session")
	got, err = s.Session(ctx, signed.ID, now)
	mustNoErr(t, err, "signed-in session")
	if got.CustomerID != c.ID || got.Email != c.Email || got.Name != "Ada" || got.CartID != acctCart {
		t.Errorf("signed-in session = %+v", got)
	}

	mustNoErr(t, s.DeleteSession(ctx, signed.ID), "delete session")
	mustNoErr(t, s.DeleteSession(ctx, signed.ID), "delete session twice")
	_, err = s.Session(ctx, signed.ID, now)
	wantKind(t, err, apperr.NotFound)
	n, err := s.DeleteExpiredSessions(ctx, now.Add(2*time.Hour))
	mustNoErr(t, err, "delete expired sessions")
	if n != 1 {
		t.Errorf("deleted %d expired sessions, want 1", n)
	}
}

func testSignInThrottle(t *testing.T, s *sqlstore.Store) {
	ctx := context.Background()
	t0 := time.Now().UTC().Truncate(time.Microsecond)
	window := 15 * time.Minute
	for i := 1; i <= 3; i++ {
		n, err := s.RecordSignInFailure(ctx, "email:ada@example.com", t0, t0.Add(-window))
		mustNoErr(t, err, "record failure")
		if n != i {
			t.Fatalf("failure %d counted as %d", i, n)
		}
	}
	if n, _ := s.SignInFailures(ctx, "email:ada@example.com", t0.Add(-window)); n != 3 {
		t.Errorf("failures = %d, want 3", n)
	}
	if n, _ := s.SignInFailures(ctx, "ip:192.0.2.1", t0.Add(-window)); n != 0 {
		t.Errorf("failures of an unknown subject = %d, want 0", n)
	}
	// Once the window has passed, the count starts again.
	later := t0.Add(window + time.Second)
	if n, _ := s.SignInFailures(ctx, "email:ada@example.com", later.Add(-window)); n != 0 {
		t.Errorf("failures after the window = %d, want 0", n)
	}
	n, err := s.RecordSignInFailure(ctx, "email:ada@example.com", later, later.Add(-window))
	mustNoErr(t, err, "record failure in a new window")
	if n != 1 {
		t.Errorf("first failure of a new window counted as %d", n)
	}
	mustNoErr(t, s.ClearSignInFailures(ctx, "email:ada@example.com"), "clear")
	if n, _ := s.SignInFailures(ctx, "email:ada@example.com", t0.Add(-window)); n != 0 {
		t.Errorf("failures after clear = %d", n)
	}
}

func testCustomerOrders(t *testing.T, s *sqlstore.Store) {
	ctx := context.Background()
	c := mustCustomer(t, s, "linus@example.com")
	b := begin(mustCart(t, s, "WB-1", 1), "acct-key-1")
	b.CustomerID = c.ID
	first := mustBeginOrder(t, s, b)
	if first.CustomerID != c.ID {
		t.Errorf("begun order customer = %q", first.CustomerID)
	}
	time.Sleep(2 * time.Millisecond) // ids order by millisecond
	b = begin(mustCart(t, s, "CS-1", 1), "acct-key-2")
	b.CustomerID = c.ID
	second := mustBeginOrder(t, s, b)
	guest := mustBeginOrder(t, s, begin(mustCart(t, s, "WB-1", 1), "guest-key"))

	o, err := s.Order(ctx, first.ID)
	mustNoErr(t, err, "order")
	if o.CustomerID != c.ID {
		t.Errorf("stored order customer = %q, want %q", o.CustomerID, c.ID)
	}
	if o, _ := s.Order(ctx, guest.ID); o.CustomerID != "" {
		t.Errorf("guest order customer = %q", o.CustomerID)
	}
	list, err := s.CustomerOrders(ctx, c.ID, 10)
	mustNoErr(t, err, "customer orders")
	if len(list) != 2 || list[0].ID != second.ID || list[1].ID != first.ID || len(list[0].Lines) != 1 {
		t.Errorf("customer orders = %+v, want [%s %s]", list, second.ID, first.ID)
	}
}

func testProductsBySKU(t *testing.T, s *sqlstore.Store) {
	ctx := context.Background()
	ps, err := s.ProductsBySKU(ctx, []string{"TR-40", "WB-1", "NOPE-1"})
	mustNoErr(t, err, "products by sku")
	if len(ps) != 2 || ps[0].Slug != "trail-runner" || len(ps[0].Variants) != 2 || ps[1].Slug != "wool-beanie" {
		t.Errorf("products by sku = %+v, want trail-runner (both variants) and wool-beanie", ps)
	}
	if ps, err := s.ProductsBySKU(ctx, nil); err != nil || len(ps) != 0 {
		t.Errorf("no SKUs = %v, %v", ps, err)
	}
}
