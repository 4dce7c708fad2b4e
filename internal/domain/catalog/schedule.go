package catalog

import (
	"context"
	"time"

	"github.com/peakshop/peakshop/internal/domain/apperr"
	"github.com/peakshop/peakshop/internal/domain/money"
)

// ChangeKind is what a scheduled change does when it falls due.
type ChangeKind string

// The kinds of scheduled change. A revert is never asked for directly: a
// price change with a RevertAt schedules one when it is applied, holding
// the prices it replaced.
const (
	ChangePrice  ChangeKind = "price"
	ChangeLaunch ChangeKind = "launch"
	ChangeRevert ChangeKind = "revert"
)

// ChangeStatus is where a scheduled change stands.
type ChangeStatus string

// A change is pending until the scheduler applies it (or finds it cannot:
// failed, with the reason in Outcome) or an admin cancels it.
const (
	ChangePending   ChangeStatus = "pending"
	ChangeApplied   ChangeStatus = "applied"
	ChangeCancelled ChangeStatus = "cancelled"
	ChangeFailed    ChangeStatus = "failed"
)

// ScheduledChange is a catalog change set to happen at DueAt.
type ScheduledChange struct {
	ID          int64
	Kind        ChangeKind
	ProductID   int64
	ProductName string // for lists; empty when the product is gone
	// SKU limits a price change to one variant; empty means every variant.
	SKU string
	// Price is the new price of a price change.
	Price    money.Money
	DueAt    time.Time
	RevertAt time.Time // zero: the price stays
	// ParentID is the price change a revert undoes.
	ParentID  int64
	Status    ChangeStatus
	Outcome   string // what applying did, or why it could not
	CreatedBy string
	CreatedAt time.Time
	SettledAt time.Time // applied, failed or cancelled; zero while pending
}

// ChangeDraft is a scheduled change as an admin asks for it.
type ChangeDraft struct {
	Kind      ChangeKind
	ProductID int64
	SKU       string
	Price     money.Money
	DueAt     time.Time
	RevertAt  time.Time
	CreatedBy string
}

// ScheduleSlack is how far in the past a new change may be due: a form
// filled in over a minute is still meant "now".
const ScheduleSlack = 5 * time.Minute

// Validate checks a draft at now in the shop currency. Field names match
// the admin form: kind, product, sku, price, due_at, revert_at.
func (d *ChangeDraft) Validate(currency string, now time.Time) error {
	var errs []apperr.FieldError
	add := func(field, reason string) { errs = append(errs, apperr.FieldError{Field: field, Reason: reason}) }
	if d.Kind != ChangePrice && d.Kind != ChangeLaunch {
		add("kind", "must be a price change or a launch")
	}
	if d.ProductID <= 0 {
		add("product", "must be a product id")
	}
	switch {
	case d.DueAt.IsZero():
		add("due_at", "is required")
	case d.DueAt.Before(now.Add(-ScheduleSlack)):
		add("due_at", "is in the past")
	}
	if d.Kind == ChangePrice {
		if d.SKU != "" && !ValidSKU(d.SKU) {
			add("sku", "must be a SKU of the product, or empty for every variant")
		}
		if d.Price.Currency != currency {
			add("price", "must be in the shop currency "+currency)
		} else if d.Price.Amount < 0 || d.Price.Amount > MaxPriceMinor {
			add("price", "must be between 0 and 10000000000 minor units")
		}
		if !d.RevertAt.IsZero() && !d.RevertAt.After(d.DueAt) {
			add("revert_at", "must be after the change")
		}
	}
	if d.Kind == ChangeLaunch {
		// A launch publishes the whole product; price fields do not apply.
		d.SKU, d.Price, d.RevertAt = "", money.Money{}, time.Time{}
	}
	return apperr.InvalidFields(errs)
}

// Schedule persists scheduled changes and applies them. ApplyDue applies
// at most one change due at now, in one transaction with its product.changed
// event, and claims it so that no other instance applies it again; it
// returns false when nothing is due.
type Schedule interface {
	ScheduleChange(ctx context.Context, d ChangeDraft) (ScheduledChange, error)
	// ScheduledChanges lists changes in one status: pending ones soonest
	// first, settled ones most recent first.
	ScheduledChanges(ctx context.Context, status ChangeStatus, limit int) ([]ScheduledChange, error)
	// CancelChange cancels a pending change: NotFound when there is none,
	// Conflict when it was already applied or cancelled.
	CancelChange(ctx context.Context, id int64, now time.Time) error
	ApplyDue(ctx context.Context, now time.Time) (ScheduledChange, bool, error)
}
