package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/peakshop/peakshop/internal/domain/apperr"
	"github.com/peakshop/peakshop/internal/domain/catalog"
)

// productCols and productJoin read a product with its category slug and its
// variants as one row per variant, so a product or a page of products costs a
// single query.
const productCols = `p.id, p.slug, p.name, p.description, c.slug, p.images, p.published, p.updated_at,
	v.sku, v.name, v.price_amount, v.price_currency, v.available`

const productJoin = ` JOIN categories c ON c.id = p.category_id
	JOIN variants v ON v.product_id = p.id`

// ListProducts returns up to q.Limit products with id > q.AfterID in id order,
// optionally matching q.Query (case-insensitive substring of name or
// description) and in the category with slug q.Category. Drafts are left
// out unless q.Drafts.
func (s *Store) ListProducts(ctx context.Context, q catalog.ListQuery) ([]catalog.Product, error) {
	limit := q.Limit
	if limit <= 0 {
		limit = catalog.DefaultListLimit
	}
	limit = min(limit, catalog.MaxListLimit)
	var (
		where = []string{"p.id > $1"}
		args  = []any{q.AfterID}
		from  = "products p"
	)
	if !q.Drafts {
		where = append(where, "p.published = TRUE")
	}
	if q.Category != "" {
		from += " JOIN categories fc ON fc.id = p.category_id"
		args = append(args, q.Category)
		where = append(where, fmt.Sprintf("fc.slug = $%d", len(args)))
	}
	if term := strings.TrimSpace(q.Query); term != "" {
		args = append(args, "%"+escapeLike(strings.ToLower(term))+"%")
		n := len(args)
		where = append(where, fmt.Sprintf(`(lower(p.name) LIKE $%d ESCAPE '\' OR lower(p.description) LIKE $%d ESCAPE '\')`, n, n))
	}
	args = append(args, limit)
	query := `SELECT ` + productCols + ` FROM (SELECT p.* FROM ` + from +
		` WHERE ` + strings.Join(where, " AND ") +
		fmt.Sprintf(` ORDER BY p.id LIMIT $%d) p`, len(args)) +
		productJoin + ` ORDER BY p.id, v.sort_order`
	rows, err := s.reader().query(ctx, query, args...)
	if err != nil {
		return nil, wrapf(err, "list products")
	}
	ps, err := scanProducts(rows)
	if err != nil {
		return nil, wrapf(err, "list products")
	}
	return ps, nil
}

// escapeLike makes %, _ and \ in a search term match themselves.
func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// ProductByID returns the published product with the id, or apperr NotFound.
func (s *Store) ProductByID(ctx context.Context, id int64) (catalog.Product, error) {
	return s.productWhere(ctx, s.reader(), "p.id = $1 AND p.published = TRUE", id)
}

// ProductBySlug returns the published product with the slug, or apperr NotFound.
func (s *Store) ProductBySlug(ctx context.Context, slug string) (catalog.Product, error) {
	return s.productWhere(ctx, s.reader(), "p.slug = $1 AND p.published = TRUE", slug)
}

// AnyProductByID returns the product with the id, draft or not, for the
// back office.
func (s *Store) AnyProductByID(ctx context.Context, id int64) (catalog.Product, error) {
	return s.productWhere(ctx, s.reader(), "p.id = $1", id)
}

func (s *Store) productWhere(ctx context.Context, r runner, cond string, arg any) (catalog.Product, error) {
	rows, err := r.query(ctx, `SELECT `+productCols+` FROM products p`+productJoin+
		` WHERE `+cond+` ORDER BY v.sort_order`, arg)
	if err != nil {
		return catalog.Product{}, wrapf(err, "get product")
	}
	ps, err := scanProducts(rows)
	if err != nil {
		return catalog.Product{}, wrapf(err, "get product")
	}
	if len(ps) == 0 {
		return catalog.Product{}, apperr.New(apperr.NotFound, "product not found")
	}
	return ps[0], nil
}

// scanProducts folds rows of productCols, ordered by product, into products.
func scanProducts(rows *sql.Rows) ([]catalog.Product, error) {
	defer rows.Close()
	var (
		out    []catalog.Product
		images string
		upd    int64
	)
	for rows.Next() {
		var p catalog.Product
		var v catalog.Variant
		if err := rows.Scan(&p.ID, &p.Slug, &p.Name, &p.Description, &p.Category, &images, &p.Published, &upd,
			&v.SKU, &v.Name, &v.Price.Amount, &v.Price.Currency, &v.Available); err != nil {
			return nil, err
		}
		if n := len(out); n == 0 || out[n-1].ID != p.ID {
			if err := json.Unmarshal([]byte(images), &p.Images); err != nil {
				return nil, fmt.Errorf("product %d images: %w", p.ID, err)
			}
			if p.Images == nil {
				p.Images = []string{}
			}
			p.UpdatedAt = fromMicros(upd)
			out = append(out, p)
		}
		last := &out[len(out)-1]
		last.Variants = append(last.Variants, v)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for i := range out {
		out[i].Price = catalog.FromPrice(out[i].Variants)
	}
	if out == nil {
		out = []catalog.Product{}
	}
	return out, nil
}

// Categories lists every category by name with its number of published
// products.
func (s *Store) Categories(ctx context.Context) ([]catalog.Category, error) {
	rows, err := s.reader().query(ctx, `SELECT c.id, c.slug, c.name, COUNT(p.id)
		FROM categories c LEFT JOIN products p ON p.category_id = c.id AND p.published = TRUE
		GROUP BY c.id, c.slug, c.name ORDER BY c.name, c.id`)
	if err != nil {
		return nil, wrapf(err, "categories")
	}
	defer rows.Close()
	out := []catalog.Category{}
	for rows.Next() {
		var c catalog.Category
		if err := rows.Scan(&c.ID, &c.Slug, &c.Name, &c.ProductCount); err != nil {
			return nil, wrapf(err, "categories")
		}
		out = append(out, c)
	}
	return out, wrapf(rows.Err(), "categories")
}

// ProductCount returns how many products exist; the seed uses it to decide
// whether the demo catalog is needed.
func (s *Store) ProductCount(ctx context.Context) (int, error) {
	var n int
	if err := s.reader().queryRow(ctx, `SELECT COUNT(*) FROM products`).Scan(&n); err != nil {
		return 0, wrapf(err, "count products")
	}
	return n, nil
}

// StockOf returns the available stock of a SKU, or apperr NotFound.
func (s *Store) StockOf(ctx context.Context, sku string) (int, error) {
	var n int
	err := s.reader().queryRow(ctx, `SELECT available FROM variants WHERE sku = $1`, sku).Scan(&n)
	if err == sql.ErrNoRows {
		return 0, apperr.New(apperr.NotFound, "SKU not found")
	}
	return n, wrapf(err, "stock of")
}
