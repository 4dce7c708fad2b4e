package app

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/peakshop/peakshop/internal/domain/account"
	"github.com/peakshop/peakshop/internal/storage/storetest"
)

// One sweep removes what is past its retention and keeps the rest.
func TestHousekeepingSweep(t *testing.T) {
	ctx := context.Background()
	st := storetest.OpenSQLite(t)
	now := time.Now()
	for id, exp := range map[string]time.Time{"expired": now.Add(-time.Minute), "live": now.Add(time.Hour)} {
		if err := st.CreateSession(ctx, account.Session{ID: id, CreatedAt: now.Add(-2 * time.Hour), ExpiresAt: exp}); err != nil {
			t.Fatal(err)
		}
	}
	for id, at := range map[string]time.Time{"old": now.Add(-9 * 24 * time.Hour), "recent": now.Add(-6 * 24 * time.Hour)} {
		if _, err := st.MarkProcessed(ctx, "mailer", id, at); err != nil {
			t.Fatal(err)
		}
	}
	if err := st.CreateCart(ctx, "cart-abandoned", now.Add(-40*24*time.Hour)); err != nil {
		t.Fatal(err)
	}
	h := &housekeeping{cfg: DefaultHousekeeping(), store: st, now: func() time.Time { return now }, logger: slog.New(slog.DiscardHandler)}
	h.sweep(ctx)

	if _, err := st.Session(ctx, "live", now); err != nil {
		t.Errorf("live session: %v", err)
	}
	if _, err := st.Session(ctx, "expired", now.Add(-time.Hour)); err == nil {
		t.Error("the expired session survived the sweep")
	}
	if ok, _ := st.Processed(ctx, "mailer", "recent"); !ok {
		t.Error("a 6-day-old processed event was dropped: the stream still holds it")
	}
	if ok, _ := st.Processed(ctx, "mailer", "old"); ok {
		t.Error("a 9-day-old processed event survived the sweep")
	}
	if _, err := st.Cart(ctx, "cart-abandoned"); err == nil {
		t.Error("a cart untouched for 40 days survived the sweep")
	}
}
