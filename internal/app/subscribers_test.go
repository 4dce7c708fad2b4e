package app_test

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/peakshop/peakshop/internal/app"
)

// TestPaidOrderReachesTheSubscribers checks the wiring: a paid and shipped
// order leaves its e-mails (addressed from the order) in <data>/mail and
// its counts in the analytics counters, on every engine.
func TestPaidOrderReachesTheSubscribers(t *testing.T) {
	for name, dsn := range engines(t) {
		t.Run(name, func(t *testing.T) {
			data := t.TempDir()
			s := startShop(t, dsn(t), func(c *app.Config) { c.Pipeline.Off, c.DataDir = false, data })
			p := s.addProduct("mailed-tee", 1500, 5)
			cart := s.newCart(map[string]int{p.Variants[0].SKU: 1})
			var created struct {
				OrderID string `json:"order_id"`
			}
			s.mustStatus(s.do("POST", "/api/v1/checkout", checkoutBody(cart, "tok_visa"), "Idempotency-Key", "mailed-1"), http.StatusCreated).decode(t, &created)
			want := []string{created.OrderID + "_order.paid.eml", created.OrderID + "_order.shipped.eml"}
			var counters map[string]int64
			for deadline := time.Now().Add(time.Minute); time.Now().Before(deadline); time.Sleep(25 * time.Millisecond) {
				counters, _ = s.app.Store.Counters(context.Background())
				_, err1 := os.Stat(filepath.Join(data, "mail", want[0]))
				_, err2 := os.Stat(filepath.Join(data, "mail", want[1]))
				if err1 == nil && err2 == nil && counters["events.order.shipped"] == 1 {
					break
				}
			}
			for _, f := range want {
				b, err := os.ReadFile(filepath.Join(data, "mail", f))
				if err != nil {
					t.Fatalf("e-mail %s: %v", f, err)
				}
				if !strings.Contains(string(b), "To: shopper@example.com") || !strings.Contains(string(b), created.OrderID) {
					t.Errorf("%s:\n%s", f, b)
				}
			}
			if counters["events.order.paid"] != 1 || counters["revenue.usd"] != 1500 || counters["events.order.shipped"] != 1 {
				t.Errorf("counters = %v", counters)
			}
		})
	}
}
