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

// testAdmin checks what the admin console adds: roles, TOTP steps used
// once, second-factor sessions, stock adjustments and the low-stock list.
func testAdmin(t *testing.T, s *sqlstore.Store) {
	mustSeed(t, s)
	ctx := context.Background()
	now := time.Now().UTC().Truncate(time.Microsecond)
	admin := account.Customer{ID: ids.New("cus", now), Email: "root@example.com", Name: "Root", CreatedAt: now}
	mustNoErr(t, s.CreateAdmin(ctx, admin, "$argon2id$x", "JBSWY3DPEHPK3PXP"), "create admin")
	if err := s.CreateAdmin(ctx, admin, "$argon2id$x", "JBSWY3DPEHPK3PXP"); !apperr.Is(err, apperr.Conflict) {
		t.Errorf("second admin with the same e-mail: %v, want Conflict", err)
	}
	plain := mustCustomer(t, s, "plain@example.com")

	mustNoErr(t, s.CreateSession(ctx, account.Session{ID: "pw", CustomerID: admin.ID, CreatedAt: now, ExpiresAt: now.Add(time.Hour)}), "session")
	mustNoErr(t, s.CreateVerifiedSession(ctx, account.Session{ID: "2fa", CustomerID: admin.ID, CreatedAt: now, ExpiresAt: now.Add(time.Hour)}, now), "verified")
	mustNoErr(t, s.CreateSession(ctx, account.Session{ID: "cust", CustomerID: plain.ID, CreatedAt: now, ExpiresAt: now.Add(time.Hour)}), "customer session")
	for _, tc := range []struct {
		id                 string
		role               account.Role
		enrolled, verified bool
	}{{"pw", account.RoleAdmin, true, false}, {"2fa", account.RoleAdmin, true, true}, {"cust", account.RoleCustomer, false, false}} {
		st, err := s.AdminState(ctx, tc.id, now)
		mustNoErr(t, err, "admin state "+tc.id)
		if st.Role != tc.role || st.Enrolled != tc.enrolled || st.SecondFactor != tc.verified {
			t.Errorf("%s: state %+v, want role %s enrolled %v verified %v", tc.id, st, tc.role, tc.enrolled, tc.verified)
		}
	}
	if _, err := s.AdminState(ctx, "2fa", now.Add(2*time.Hour)); !apperr.Is(err, apperr.NotFound) {
		t.Errorf("expired session: %v, want NotFound", err)
	}
	if secret, err := s.TOTPSecret(ctx, admin.ID); err != nil || secret != "JBSWY3DPEHPK3PXP" {
		t.Errorf("totp secret = %q, %v", secret, err)
	}
	if _, err := s.TOTPSecret(ctx, plain.ID); !apperr.Is(err, apperr.NotFound) {
		t.Errorf("customer's totp secret: %v, want NotFound", err)
	}
	for i, tc := range []struct {
		step int64
		ok   bool
	}{{100, true}, {100, false}, {99, false}, {101, true}} {
		ok, err := s.AcceptTOTPStep(ctx, admin.ID, tc.step)
		mustNoErr(t, err, "accept step")
		if ok != tc.ok {
			t.Errorf("#%d step %d accepted = %v, want %v", i, tc.step, ok, tc.ok)
		}
	}

	v, err := s.AdjustAvailable(ctx, "CS-1", -2)
	if err != nil || v.Available != 1 {
		t.Errorf("adjust -2 from 3 = %+v, %v; want 1", v, err)
	}
	if _, err := s.AdjustAvailable(ctx, "CS-1", -2); !apperr.Is(err, apperr.Invalid) {
		t.Errorf("adjust below zero: %v, want Invalid", err)
	}
	if _, err := s.AdjustAvailable(ctx, "NOPE", 1); !apperr.Is(err, apperr.NotFound) {
		t.Errorf("adjust unknown SKU: %v, want NotFound", err)
	}
	low, err := s.LowStock(ctx, 1, 10)
	mustNoErr(t, err, "low stock")
	if len(low) != 2 || low[0].Variants[0].SKU != "SH-1" || low[1].Variants[0].SKU != "CS-1" || low[1].Name == "" {
		t.Errorf("low stock = %+v, want SH-1 (0) then CS-1 (1)", low)
	}
}
