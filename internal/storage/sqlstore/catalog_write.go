package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/peakshop/peakshop/internal/domain/apperr"
	"github.com/peakshop/peakshop/internal/domain/catalog"
)

// CreateProduct validates and stores a new product with its variants. A taken
// slug or SKU is apperr Conflict; an unknown category is apperr Invalid with
// the field "category". d.Published nil publishes it.
func (s *Store) CreateProduct(ctx context.Context, d catalog.Draft) (catalog.Product, error) {
	if err := d.Validate(s.currency); err != nil {
		return catalog.Product{}, err
	}
	images, err := encodeImages(d.Images)
	if err != nil {
		return catalog.Product{}, err
	}
	var p catalog.Product
	err = s.inTx(ctx, "create product", func(r runner) error {
		catID, err := categoryID(ctx, r, d.Category)
		if err != nil {
			return err
		}
		now := micros(s.now())
		published := d.Published == nil || *d.Published
		var id int64
		err = r.queryRow(ctx, `INSERT INTO products (slug, name, description, category_id, images, published, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING id`,
			d.Slug, d.Name, d.Description, catID, images, published, now).Scan(&id)
		if err != nil {
			return s.conflictOr(err, "slug", "is taken", "insert product")
		}
		for i, v := range d.Variants {
			if err := s.insertVariant(ctx, r, id, i, v); err != nil {
				return err
			}
		}
		if err := s.productChanged(ctx, r, id, "created"); err != nil {
			return err
		}
		p, err = s.productWhere(ctx, r, "p.id = $1", id)
		return err
	})
	return p, wrapf(err, "create product")
}

// UpdateProduct replaces a product's fields and variants. Variants that keep
// their SKU keep their stock unless the draft sets Available; new SKUs start at
// the draft's Available (0 when unset); SKUs left out are deleted, which also
// drops them from open carts. d.Published nil leaves publication as it is.
func (s *Store) UpdateProduct(ctx context.Context, id int64, d catalog.Draft) (catalog.Product, error) {
	if err := d.Validate(s.currency); err != nil {
		return catalog.Product{}, err
	}
	images, err := encodeImages(d.Images)
	if err != nil {
		return catalog.Product{}, err
	}
	var p catalog.Product
	err = s.inTx(ctx, "update product", func(r runner) error {
		catID, err := categoryID(ctx, r, d.Category)
		if err != nil {
			return err
		}
		n, err := r.affected(ctx, `UPDATE products SET slug = $2, name = $3, description = $4, category_id = $5,
			images = $6, updated_at = $7, published = COALESCE($8, published) WHERE id = $1`,
			id, d.Slug, d.Name, d.Description, catID, images, micros(s.now()), nullBool(d.Published))
		if err != nil {
			return s.conflictOr(err, "slug", "is taken", "update product")
		}
		if n == 0 {
			return apperr.New(apperr.NotFound, "product not found")
		}
		if err := s.replaceVariants(ctx, r, id, d.Variants); err != nil {
			return err
		}
		if err := s.productChanged(ctx, r, id, "updated"); err != nil {
			return err
		}
		p, err = s.productWhere(ctx, r, "p.id = $1", id)
		return err
	})
	return p, wrapf(err, "update product")
}

// replaceVariants brings a product's variants in line with the draft. Rows are
// touched in SKU order, the same order checkout locks them in, so an update
// and a checkout on PostgreSQL cannot deadlock.
func (s *Store) replaceVariants(ctx context.Context, r runner, productID int64, drafts []catalog.VariantDraft) error {
	keep := make([]any, 0, len(drafts)+1)
	keep = append(keep, productID)
	for _, v := range drafts {
		keep = append(keep, v.SKU)
	}
	if _, err := r.exec(ctx, `DELETE FROM variants WHERE product_id = $1 AND sku NOT IN (`+
		placeholders(2, len(drafts))+`)`, keep...); err != nil {
		return fmt.Errorf("delete dropped variants: %w", err)
	}
	pos := make(map[string]int, len(drafts))
	for i, v := range drafts {
		pos[v.SKU] = i
	}
	sorted := slices.SortedFunc(slices.Values(drafts), func(a, b catalog.VariantDraft) int { return strings.Compare(a.SKU, b.SKU) })
	for _, v := range sorted {
		n, err := r.affected(ctx, `UPDATE variants SET sort_order = $3, name = $4, price_amount = $5, price_currency = $6,
			available = COALESCE($7, available) WHERE sku = $1 AND product_id = $2`,
			v.SKU, productID, pos[v.SKU], v.Name, v.Price.Amount, v.Price.Currency, nullInt(v.Available))
		if err != nil {
			return s.conflictOr(err, "variants.available", "is out of range", "update variant")
		}
		if n == 0 {
			if err := s.insertVariant(ctx, r, productID, pos[v.SKU], v); err != nil {
				return err
			}
		}
	}
	return nil
}

func (s *Store) insertVariant(ctx context.Context, r runner, productID int64, pos int, v catalog.VariantDraft) error {
	avail := 0
	if v.Available != nil {
		avail = *v.Available
	}
	_, err := r.exec(ctx, `INSERT INTO variants (sku, product_id, sort_order, name, price_amount, price_currency, available)
		VALUES ($1, $2, $3, $4, $5, $6, $7)`, v.SKU, productID, pos, v.Name, v.Price.Amount, v.Price.Currency, avail)
	if err != nil {
		return s.conflictOr(err, fmt.Sprintf("variants[%d].sku", pos), "is taken", "insert variant")
	}
	return nil
}

// DeleteProduct deletes a product and its variants; the variants leave open
// carts with them. Orders keep their lines: they copied name and price.
func (s *Store) DeleteProduct(ctx context.Context, id int64) error {
	err := s.inTx(ctx, "delete product", func(r runner) error {
		n, err := r.affected(ctx, `DELETE FROM products WHERE id = $1`, id)
		if err != nil {
			return err
		}
		if n == 0 {
			return apperr.New(apperr.NotFound, "product not found")
		}
		return s.productChanged(ctx, r, id, "deleted")
	})
	return wrapf(err, "delete product")
}

// SetPublished publishes a draft (or takes a product back to draft) and
// returns it; setting what is already set changes nothing and records no
// event.
func (s *Store) SetPublished(ctx context.Context, id int64, published bool) (catalog.Product, error) {
	var p catalog.Product
	err := s.inTx(ctx, "set published", func(r runner) error {
		n, err := r.affected(ctx, `UPDATE products SET published = $2, updated_at = $3 WHERE id = $1 AND published <> $2`,
			id, published, micros(s.now()))
		if err != nil {
			return err
		}
		if n == 1 {
			change := "published"
			if !published {
				change = "unpublished"
			}
			if err := s.productChanged(ctx, r, id, change); err != nil {
				return err
			}
		}
		p, err = s.productWhere(ctx, r, "p.id = $1", id)
		return err
	})
	return p, wrapf(err, "set published")
}

// SetAvailable sets the sellable stock of a SKU and returns the variant.
func (s *Store) SetAvailable(ctx context.Context, sku string, available int) (catalog.Variant, error) {
	if available < 0 || available > catalog.MaxStock {
		return catalog.Variant{}, apperr.InvalidFields([]apperr.FieldError{{Field: "available", Reason: "must be between 0 and 1000000000"}})
	}
	var v catalog.Variant
	err := s.inTx(ctx, "set available", func(r runner) error {
		var productID int64
		err := r.queryRow(ctx, `UPDATE variants SET available = $2 WHERE sku = $1
			RETURNING sku, name, price_amount, price_currency, available, product_id`, sku, available).
			Scan(&v.SKU, &v.Name, &v.Price.Amount, &v.Price.Currency, &v.Available, &productID)
		if err == sql.ErrNoRows {
			return apperr.New(apperr.NotFound, "SKU not found")
		}
		if err != nil {
			return err
		}
		return s.productChanged(ctx, r, productID, "stock")
	})
	return v, wrapf(err, "set available")
}

// categoryID resolves a category slug, answering Invalid on "category" when
// it does not exist: the admin named it in the request body.
func categoryID(ctx context.Context, r runner, slug string) (int64, error) {
	var id int64
	err := r.queryRow(ctx, `SELECT id FROM categories WHERE slug = $1`, slug).Scan(&id)
	if err == sql.ErrNoRows {
		return 0, apperr.InvalidFields([]apperr.FieldError{{Field: "category", Reason: "no category has this slug"}})
	}
	if err != nil {
		return 0, fmt.Errorf("category id: %w", err)
	}
	return id, nil
}

func encodeImages(images []string) (string, error) {
	if images == nil {
		images = []string{}
	}
	b, err := json.Marshal(images)
	if err != nil {
		return "", fmt.Errorf("sqlstore: encode images: %w", err)
	}
	return string(b), nil
}

// nullBool passes nil or the value, so SQL can COALESCE an absent flag.
func nullBool(p *bool) any {
	if p == nil {
		return nil
	}
	return *p
}

// nullInt passes nil or the value, so SQL can COALESCE an absent number.
func nullInt(p *int) any {
	if p == nil {
		return nil
	}
	return int64(*p)
}
