package sqlstore

import (
	"context"
	"strconv"

	"github.com/peakshop/peakshop/internal/domain/event"
	"github.com/peakshop/peakshop/internal/platform/ids"
)

// productChange is the data of a product.changed event: which product, and
// what kind of write changed it ("created", "updated", "deleted",
// "published", "unpublished", "stock", "price", ...). The cache purge needs
// only the key; the rest is for analytics and people reading the stream.
type productChange struct {
	ProductID int64  `json:"product_id"`
	Change    string `json:"change"`
}

// productChanged records, in r's transaction, that what shoppers see of the
// product changed. Each write is its own fact, so the id is random: unlike
// order events there is nothing to deduplicate between two writes.
func (s *Store) productChanged(ctx context.Context, r runner, productID int64, change string) error {
	now := s.now()
	e, err := event.New(ids.New("pch", now), event.ProductChanged, strconv.FormatInt(productID, 10), now,
		productChange{ProductID: productID, Change: change})
	if err != nil {
		return err
	}
	return insertEvents(ctx, r, e)
}
