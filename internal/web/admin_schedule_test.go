package web_test

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/peakshop/peakshop/internal/domain/catalog"
)

// A draft made in the console is a 404 to shoppers everywhere (page, API,
// search, category) and badged in the console; publishing shows it.
func TestAdminDraftsArePrivate(t *testing.T) {
	s := startShop(t)
	b := adminBrowser(t, s, "root@example.com")
	nf := b.form("/admin/products/new")
	nf.Set("slug", "secret-cap")
	nf.Set("name", "Secret Cap")
	nf.Set("category", "hats")
	nf.Set("has_published", "1") // the box left unticked: a draft
	nf["v_sku"], nf["v_name"], nf["v_price"] = []string{"SC-1"}, []string{"One size"}, []string{"12"}
	p := b.post("/admin/products", nf)
	wantStatus(t, p, http.StatusSeeOther, "create draft")
	loc := p.Header.Get("Location")
	id := strings.TrimSuffix(strings.TrimPrefix(loc, "/admin/products/"), "?saved=1")

	shopper := s.browser()
	wantStatus(t, shopper.get("/products/secret-cap"), http.StatusNotFound, "draft page")
	wantStatus(t, shopper.get("/api/v1/products/secret-cap"), http.StatusNotFound, "draft in the API")
	wantStatus(t, shopper.get("/api/v1/products/"+id), http.StatusNotFound, "draft by id in the API")
	for _, path := range []string{"/search?q=secret", "/c/hats", "/", "/api/v1/products?q=secret"} {
		if pg := shopper.get(path); strings.Contains(pg.Body, "Secret Cap") {
			t.Errorf("%s shows the draft", path)
		}
	}
	wantContains(t, b.get("/admin/products"), "admin list", "Secret Cap", `class="badge draft"`)
	edit := b.get(loc)
	wantContains(t, edit, "edit page", "Secret Cap", `class="badge draft"`, "Publish now")

	f := b.form("/admin/products/" + id)
	f.Set("published", "1")
	wantStatus(t, b.post("/admin/products/"+id+"/publish", f), http.StatusSeeOther, "publish")
	wantContains(t, shopper.get("/products/secret-cap"), "published page", "Secret Cap", "$12.00")
	wantContains(t, shopper.get("/search?q=secret"), "search after publish", "Secret Cap")

	f.Set("published", "0")
	wantStatus(t, b.post("/admin/products/"+id+"/publish", f), http.StatusSeeOther, "unpublish")
	wantStatus(t, shopper.get("/products/secret-cap"), http.StatusNotFound, "unpublished page")
	f.Set("published", "maybe")
	wantStatus(t, b.post("/admin/products/"+id+"/publish", f), http.StatusNotFound, "bad publish value")
}

// The scheduler form refuses bad input beside the fields and stores
// nothing; a launch scheduled for now is applied by the app's scheduler
// loop and the draft appears; a pending change can be cancelled.
func TestAdminSchedule(t *testing.T) {
	s := startShop(t)
	ctx := context.Background()
	b := adminBrowser(t, s, "root@example.com")
	wantContains(t, b.get("/admin/schedule"), "schedule page", "Sale scheduler", "UTC", "Nothing is scheduled.")

	bad := b.form("/admin/schedule")
	bad.Set("kind", "price")
	bad.Set("product", "abc")
	bad.Set("price", "cheap")
	bad.Set("due_at", "tomorrow")
	bad.Set("revert_at", "2020-01-01T00:00")
	p := b.post("/admin/schedule", bad)
	wantStatus(t, p, http.StatusUnprocessableEntity, "bad form")
	wantContains(t, p, "errors beside fields", `id="e-product"`, `id="e-price"`, `id="e-due_at"`, `value="cheap"`, `value="tomorrow"`)

	// Parses, but the store refuses: the revert before the change, a SKU of
	// another product.
	id := s.productID("wool-beanie")
	bad.Set("product", id)
	bad.Set("price", "9.99")
	bad.Set("sku", "TR-42")
	bad.Set("due_at", time.Now().UTC().Add(time.Hour).Format("2006-01-02T15:04"))
	bad.Set("revert_at", time.Now().UTC().Add(30*time.Minute).Format("2006-01-02T15:04"))
	p = b.post("/admin/schedule", bad)
	wantStatus(t, p, http.StatusUnprocessableEntity, "refused by the store")
	wantContains(t, p, "store errors beside fields", `id="e-revert_at"`)
	for _, st := range []catalog.ChangeStatus{catalog.ChangePending, catalog.ChangeApplied, catalog.ChangeFailed} {
		if cs, err := s.app.Store.ScheduledChanges(ctx, st, 10); err != nil || len(cs) != 0 {
			t.Fatalf("refused forms wrote %s changes: %+v, %v", st, cs, err)
		}
	}

	// A price change tomorrow, then cancelled.
	good := b.form("/admin/schedule")
	good.Set("kind", "price")
	good.Set("product", id)
	good.Set("price", "9.99")
	good.Set("due_at", time.Now().UTC().Add(24*time.Hour).Format("2006-01-02T15:04"))
	p = b.post("/admin/schedule", good)
	wantStatus(t, p, http.StatusSeeOther, "schedule price")
	pending, err := s.app.Store.ScheduledChanges(ctx, catalog.ChangePending, 10)
	if err != nil || len(pending) != 1 || pending[0].Price.Amount != 999 || pending[0].CreatedBy != "root@example.com" {
		t.Fatalf("pending = %+v, %v", pending, err)
	}
	wantContains(t, b.get("/admin/schedule"), "listed", "Wool Beanie", "$9.99", "Cancel")
	c := b.form("/admin/schedule")
	wantStatus(t, b.post("/admin/schedule/"+itoa64(pending[0].ID)+"/cancel", c), http.StatusSeeOther, "cancel")
	wantStatus(t, b.post("/admin/schedule/"+itoa64(pending[0].ID)+"/cancel", c), http.StatusConflict, "cancel twice")

	// A launch due now: the scheduler loop publishes the draft.
	d, err := s.app.Store.CreateProduct(ctx, catalog.Draft{Slug: "launch-cap", Name: "Launch Cap", Category: "hats", Published: new(bool),
		Variants: []catalog.VariantDraft{{SKU: "LC-1", Name: "One", Price: usd(500), Available: intp(5)}}})
	if err != nil {
		t.Fatal(err)
	}
	shopper := s.browser()
	wantStatus(t, shopper.get("/products/launch-cap"), http.StatusNotFound, "before launch")
	launch := b.form("/admin/schedule")
	launch.Set("kind", "launch")
	launch.Set("product", itoa64(d.ID))
	launch.Set("due_at", time.Now().UTC().Format("2006-01-02 15:04:05"))
	wantStatus(t, b.post("/admin/schedule", launch), http.StatusSeeOther, "schedule launch")
	deadline := time.Now().Add(15 * time.Second)
	for shopper.get("/products/launch-cap").Status != http.StatusOK {
		if time.Now().After(deadline) {
			t.Fatal("the scheduler did not launch the product within 15s")
		}
		time.Sleep(200 * time.Millisecond)
	}
	wantContains(t, b.get("/admin/schedule"), "applied list", "Launch (publish)", "applied: published")
}

func itoa64(n int64) string { return strconv.FormatInt(n, 10) }
