package storetest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/peakshop/peakshop/internal/domain/account"
	"github.com/peakshop/peakshop/internal/domain/apperr"
	"github.com/peakshop/peakshop/internal/platform/ids"
	"github.com/peakshop/peakshop/internal/storage/sqlstore"
)

// More rows than one housekeeping batch deletes, so the sweep must loop.
const overOneBatch = 2500

// Old processed-event records go, in several batches; recent ones stay, so
// a redelivery within the stream's retention still has no second effect.
func testPruneProcessedEvents(t *testing.T, s *sqlstore.Store) {
	ctx := context.Background()
	now := time.Now()
	for i := range overOneBatch {
		_, err := s.MarkProcessed(ctx, "mailer", fmt.Sprintf("evt-old-%d", i), now.Add(-9*24*time.Hour))
		mustNoErr(t, err, "mark old")
	}
	_, err := s.MarkProcessed(ctx, "mailer", "evt-recent", now.Add(-time.Hour))
	mustNoErr(t, err, "mark recent")

	n, err := s.PruneProcessedEvents(ctx, now.Add(-8*24*time.Hour))
	mustNoErr(t, err, "prune")
	if n != overOneBatch {
		t.Errorf("pruned %d records, want %d", n, overOneBatch)
	}
	if ok, _ := s.Processed(ctx, "mailer", "evt-recent"); !ok {
		t.Error("the recent record was pruned")
	}
	if ok, _ := s.Processed(ctx, "mailer", "evt-old-7"); ok {
		t.Error("an old record survived")
	}
}

// Expired sessions go, in several batches; live ones stay.
func testDeleteExpiredSessions(t *testing.T, s *sqlstore.Store) {
	ctx := context.Background()
	now := time.Now()
	for i := range overOneBatch {
		mustNoErr(t, s.CreateSession(ctx, account.Session{ID: fmt.Sprintf("gone-%d", i), CreatedAt: now.Add(-48 * time.Hour),
			ExpiresAt: now.Add(-time.Hour)}), "create expired")
	}
	mustNoErr(t, s.CreateSession(ctx, account.Session{ID: "live", CreatedAt: now, ExpiresAt: now.Add(time.Hour)}), "create live")

	n, err := s.DeleteExpiredSessions(ctx, now)
	mustNoErr(t, err, "delete expired")
	if n != overOneBatch {
		t.Errorf("deleted %d sessions, want %d", n, overOneBatch)
	}
	if _, err := s.Session(ctx, "live", now); err != nil {
		t.Errorf("live session: %v", err)
	}
	_, err = s.Session(ctx, "gone-3", now.Add(-2*time.Hour))
	wantKind(t, err, apperr.NotFound)
}

// Old carts nobody points at go with their items; an account's cart, a
// live session's cart and a recent cart stay, however old the first two.
func testPruneCarts(t *testing.T, s *sqlstore.Store) {
	ctx := context.Background()
	mustSeed(t, s)
	now := time.Now()
	old := now.Add(-40 * 24 * time.Hour)
	mk := func(id string, at time.Time) {
		mustNoErr(t, s.CreateCart(ctx, id, at), "create cart "+id)
		mustNoErr(t, s.SetQuantity(ctx, id, "WB-1", 1, at), "fill cart "+id)
	}
	mk("cart-abandoned", old)
	mk("cart-account", old)
	mk("cart-session", old)
	mk("cart-recent", now)
	cus := account.Customer{ID: ids.New("cus", now), Email: "keeps@example.com", Name: "Kim", CartID: "cart-account", CreatedAt: now}
	mustNoErr(t, s.CreateCustomer(ctx, cus, "hash"), "customer")
	mustNoErr(t, s.CreateSession(ctx, account.Session{ID: "live", CartID: "cart-session", CreatedAt: now, ExpiresAt: now.Add(time.Hour)}), "session")

	n, err := s.PruneCarts(ctx, now.Add(-30*24*time.Hour))
	mustNoErr(t, err, "prune carts")
	if n != 1 {
		t.Errorf("pruned %d carts, want 1", n)
	}
	_, err = s.Cart(ctx, "cart-abandoned")
	wantKind(t, err, apperr.NotFound)
	for _, id := range []string{"cart-account", "cart-session", "cart-recent"} {
		if c, err := s.Cart(ctx, id); err != nil || len(c.Items) != 1 {
			t.Errorf("cart %s: %+v, %v", id, c, err)
		}
	}
}
