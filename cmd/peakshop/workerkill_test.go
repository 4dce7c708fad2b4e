package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	mrand "math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	natsserver "github.com/nats-io/nats-server/v2/server"

	"github.com/peakshop/peakshop/internal/app"
	"github.com/peakshop/peakshop/internal/domain/order"
	"github.com/peakshop/peakshop/internal/payments/simulator"
	"github.com/peakshop/peakshop/internal/storage/sqlstore"
	"github.com/peakshop/peakshop/internal/storage/storetest"
)

// Sizes of the kill test: the 1,000 queued orders, over 10 SKUs of
// 500 units (about 200 ordered each), one in 25 paid with a declined card.
const (
	killOrders    = 1000
	killSKUs      = 10
	killStock     = 500
	killDeclineIn = 25
	killKills     = 5
)

// TestWorkerKilledDuringQueuedOrders runs the real binary as a shop
// (`serve --pipeline=false --checkout-mode=queued`) and a separate `worker`,
// places 1,000 queued orders over HTTP while SIGKILLing the worker at random
// moments and restarting it, and then checks what the issue asks: every
// order shipped or cancelled, no order charged twice (the simulator's ledger,
// shared by both processes as a real provider would be), no e-mail written
// twice or missing, and stock that reconciles exactly per SKU. Half of the
// payment calls fail (retried with backoff; a few orders exhaust the retries
// and are voided) and one order in 25 is declined, so the cancelling paths
// run under the kills too.
func TestWorkerKilledDuringQueuedOrders(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and runs 1,000 orders")
	}
	bin := buildPeakshop(t)
	nats := testNATS(t)
	dbs := map[string]func(t *testing.T, data string) string{
		"sqlite": func(_ *testing.T, data string) string { return "sqlite:" + filepath.Join(data, "shop.db") },
	}
	if pg := os.Getenv(storetest.PostgresEnv); pg != "" {
		dbs["postgres"] = func(t *testing.T, _ string) string { return storetest.SchemaURL(t, pg, "kill_") }
	}
	for name, dsn := range dbs {
		t.Run(name, func(t *testing.T) {
			data := t.TempDir()
			runKillTest(t, bin, nats, data, dsn(t, data))
		})
	}
}

func runKillTest(t *testing.T, bin, nats, data, dsn string) {
	ctx := t.Context()
	st, err := app.OpenStore(ctx, dsn, "USD", slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	skus := storetest.SeedStock(t, st, killSKUs, killStock)

	addr := freeAddr(t)
	common := []string{"--data", data, "--db", dsn, "--nats", nats, "--checkout-mode", "queued", "--log-level", "warn"}
	serve := startProc(t, bin, "serve", append([]string{"serve", "--addr", addr, "--pipeline=false", "--edge=false", "--demo=false"}, common...)...)
	if serve == nil {
		t.FailNow()
	}
	defer serve.stop(t)
	base := "http://" + addr
	client := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	waitUntil(t, "the shop to be ready", func() bool {
		r, err := client.Get(base + "/readyz")
		if err == nil {
			r.Body.Close()
		}
		return err == nil && r.StatusCode == http.StatusOK
	})
	// Half the payment calls fail before money moves; 64 in flight keeps
	// the backlog moving despite the backoff.
	workerArgs := append([]string{"worker", "--payment-failure-rate", "0.5", "--payment-concurrency", "64", "--payment-rate", "5000"}, common...)
	worker := startProc(t, bin, "worker-0", workerArgs...)
	if worker == nil {
		t.FailNow()
	}

	// The killer: SIGKILL at random moments while orders arrive and run,
	// a new worker at once (the previous one's workflows are recovered by
	// the next; DBOS's executor id is the same).
	// worker is the killer's until killed is closed.
	killed, stopKilling := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(killed)
		for k := range killKills {
			select {
			case <-time.After(time.Duration(500+mrand.IntN(4500)) * time.Millisecond):
			case <-stopKilling:
				return
			}
			worker.kill(t)
			next := startProc(t, bin, fmt.Sprintf("worker-%d", k+1), workerArgs...)
			if next == nil {
				return
			}
			worker = next
		}
	}()
	// Also when the test fails half-way: the killer stops before the test
	// ends, then the last worker is stopped.
	defer func() {
		close(stopKilling)
		<-killed
		worker.stop(t)
	}()

	placed := placeQueuedOrders(t, client, base, skus)
	t.Logf("placed %d queued orders", len(placed))
	<-killed

	ids := make([]string, 0, len(placed))
	for _, p := range placed {
		ids = append(ids, p.id)
	}
	deadline := time.Now().Add(3 * time.Minute)
	for !allTerminal(t, st, ids) {
		if time.Now().After(deadline) {
			t.Fatalf("orders not terminal after 3 minutes; worker log:\n%s", worker.logTail())
		}
		time.Sleep(250 * time.Millisecond)
	}

	audit, err := simulator.AuditLedger(ctx, filepath.Join(data, "payments-sim.db"))
	if err != nil {
		t.Fatal(err)
	}
	if len(audit.ChargedTwice) > 0 {
		t.Errorf("orders charged twice: %v", audit.ChargedTwice)
	}
	shippedUnits := map[string]int{}
	wantMail := map[string]bool{}
	mayMail := map[string]bool{}
	var shipped, cancelled, declined, voided int
	for _, p := range placed {
		o, err := st.Order(ctx, p.id)
		if err != nil {
			t.Fatal(err)
		}
		m := audit.Orders[p.id]
		switch o.Status {
		case order.Shipped:
			shipped++
			shippedUnits[p.sku] += p.qty
			if m.Charges != 1 || m.Refunds != 0 {
				t.Errorf("shipped order %s: ledger %+v, want one charge kept", p.id, m)
			}
			wantMail[mailFile(p.id, "order.paid")] = true
			wantMail[mailFile(p.id, "order.shipped")] = true
		case order.Cancelled:
			cancelled++
			if o.Reason == "" {
				t.Errorf("order %s cancelled without a reason", p.id)
			}
			if m.Kept() {
				t.Errorf("cancelled order %s: ledger %+v, the shop kept the money", p.id, m)
			}
			if p.declined {
				declined++
			}
			// A declined card is cancelled by its decline, unless every
			// attempt hit the outage first and the order was voided.
			switch byDecline := strings.HasPrefix(o.Reason, "payment declined"); {
			case byDecline && (!p.declined || m.Declines != 1 || m.Charges != 0):
				t.Errorf("order %s (declined card %v) cancelled with %q: ledger %+v, want one decline", p.id, p.declined, o.Reason, m)
			case !byDecline && (m.Declines != 0 || m.Charges != m.Refunds):
				t.Errorf("order %s cancelled with %q: ledger %+v, want no decline and nothing kept", p.id, o.Reason, m)
			case !byDecline:
				voided++
			}
			wantMail[mailFile(p.id, "order.cancelled")] = true
			// A paid order cancelled later was told it was paid first.
			mayMail[mailFile(p.id, "order.paid")] = m.Charges > 0
		default:
			t.Errorf("order %s ended %s", p.id, o.Status)
		}
	}
	if want := killOrders / killDeclineIn; declined != want {
		t.Errorf("%d declined orders cancelled, want %d", declined, want)
	}
	t.Logf("shipped %d, cancelled %d (%d declined cards, %d voided after payment failures); ledger: %d charges, %d declines, %d refunds",
		shipped, cancelled, declined, voided, audit.Charges, audit.Declines, audit.Refunds)
	for _, sku := range skus {
		if got := storetest.Stock(t, st, sku) + shippedUnits[sku]; got != killStock {
			t.Errorf("%s: available %d + shipped %d = %d, want %d", sku, got-shippedUnits[sku], shippedUnits[sku], got, killStock)
		}
	}
	checkMailFolder(t, filepath.Join(data, "mail"), wantMail, mayMail)
	checkOrdersOverHTTP(t, client, base, placed[:50], st)
}

// placedOrder is one accepted queued checkout.
type placedOrder struct {
	id, token, sku string
	qty            int
	declined       bool
}

// placeQueuedOrders makes a cart per order and checks it out over HTTP, 32
// buyers at a time, each answered 202 at once.
func placeQueuedOrders(t *testing.T, client *http.Client, base string, skus []string) []placedOrder {
	out := make([]placedOrder, killOrders)
	var next sync.Mutex
	i := 0
	var wg sync.WaitGroup
	for range 32 {
		wg.Go(func() {
			for {
				next.Lock()
				n := i
				i++
				next.Unlock()
				if n >= killOrders || t.Failed() {
					return
				}
				out[n] = placeOrder(t, client, base, n, skus)
			}
		})
	}
	wg.Wait()
	if t.Failed() {
		t.FailNow()
	}
	return out
}

func placeOrder(t *testing.T, client *http.Client, base string, n int, skus []string) placedOrder {
	p := placedOrder{sku: skus[n%len(skus)], qty: 1 + n%3, declined: n%killDeclineIn == 3}
	var cart struct{ ID string }
	if !httpJSON(t, client, "POST", base+"/api/v1/carts", nil, nil, http.StatusCreated, &cart) {
		return p
	}
	if !httpJSON(t, client, "PUT", base+"/api/v1/carts/"+cart.ID+"/items/"+p.sku, nil, map[string]int{"quantity": p.qty}, http.StatusOK, nil) {
		return p
	}
	token := "tok_visa"
	if p.declined {
		token = "tok_chargeDeclined"
	}
	body := map[string]any{"cart_id": cart.ID, "email": fmt.Sprintf("buyer%d@example.com", n),
		"shipping_address": map[string]string{"name": "Kill Test", "line1": "1 Main St", "city": "Springfield", "postal_code": "12345", "country": "US"},
		"payment":          map[string]string{"token": token}}
	var res struct {
		OrderID     string `json:"order_id"`
		Status      string `json:"status"`
		AccessToken string `json:"access_token"`
	}
	hdr := http.Header{"Idempotency-Key": {fmt.Sprintf("kill-%d", n)}}
	if httpJSON(t, client, "POST", base+"/api/v1/checkout", hdr, body, http.StatusAccepted, &res) {
		p.id, p.token = res.OrderID, res.AccessToken
	}
	return p
}

// httpJSON does one request and decodes the answer into v (unless nil); a
// wrong status is a test error.
func httpJSON(t *testing.T, client *http.Client, method, u string, hdr http.Header, body any, want int, v any) bool {
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, u, rd)
	if err != nil {
		t.Error(err)
		return false
	}
	req.Header = hdr.Clone()
	if req.Header == nil {
		req.Header = http.Header{}
	}
	req.Header.Set("Content-Type", "application/json")
	res, err := client.Do(req)
	if err != nil {
		t.Errorf("%s %s: %v", method, u, err)
		return false
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if res.StatusCode != want {
		t.Errorf("%s %s: status %d, want %d: %s", method, u, res.StatusCode, want, b)
		return false
	}
	if v != nil {
		if err := json.Unmarshal(b, v); err != nil {
			t.Errorf("%s %s: %v: %s", method, u, err, b)
			return false
		}
	}
	return true
}

func allTerminal(t *testing.T, st *sqlstore.Store, ids []string) bool {
	n := 0
	for _, s := range []order.Status{order.Shipped, order.Cancelled} {
		c, err := st.OrderCount(t.Context(), s)
		if err != nil {
			t.Fatal(err)
		}
		n += c
	}
	return n == len(ids)
}

// mailFile is the name the folder mailer gives the e-mail answering an
// order's event: the event id (<order id>:<type>) made safe.
func mailFile(orderID, typ string) string { return orderID + "_" + typ + ".eml" }

// checkMailFolder waits (bounded: the subscribers run behind the workflows)
// until every expected e-mail is there, then checks that nothing else is: a
// second e-mail for an (order, kind) would need a second event id, and a
// missing one a lost event. A write cut short by SIGKILL leaves a hidden
// .tmp-* file, which is no e-mail.
func checkMailFolder(t *testing.T, dir string, want, may map[string]bool) {
	t.Helper()
	var got map[string]int
	read := func() {
		got = map[string]int{}
		ents, err := os.ReadDir(dir)
		if err != nil {
			return
		}
		for _, e := range ents {
			if !strings.HasPrefix(e.Name(), ".tmp-") {
				got[e.Name()]++
			}
		}
	}
	deadline := time.Now().Add(90 * time.Second)
	for {
		read()
		missing := 0
		for f := range want {
			if got[f] == 0 {
				missing++
			}
		}
		if missing == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d e-mails missing after 90s", missing, len(want))
		}
		time.Sleep(250 * time.Millisecond)
	}
	time.Sleep(time.Second) // a straggler would land now
	read()
	for f, n := range got {
		kind := f[strings.IndexByte(f, '_')+1:]
		switch {
		case n > 1:
			t.Errorf("e-mail %s written %d times", f, n)
		case !want[f] && !may[f]:
			t.Errorf("unexpected e-mail %s (kind %s)", f, kind)
		}
	}
	t.Logf("%d e-mails, one per (order, kind)", len(got))
}

// checkOrdersOverHTTP reads some orders through the API, as the shopper
// would, and compares them with the database.
func checkOrdersOverHTTP(t *testing.T, client *http.Client, base string, orders []placedOrder, st *sqlstore.Store) {
	for _, p := range orders {
		var v struct {
			Status   string `json:"status"`
			Timeline []any  `json:"timeline"`
		}
		hdr := http.Header{"Authorization": {"Bearer " + p.token}}
		if !httpJSON(t, client, "GET", base+"/api/v1/orders/"+p.id, hdr, nil, http.StatusOK, &v) {
			continue
		}
		o, err := st.Order(t.Context(), p.id)
		if err != nil {
			t.Fatal(err)
		}
		if v.Status != string(o.Status) || len(v.Timeline) == 0 {
			t.Errorf("GET order %s: status %q with %d steps, database says %s", p.id, v.Status, len(v.Timeline), o.Status)
		}
	}
}

// proc is a peakshop process the test started; its output goes to a file
// under the test's temporary folder.
type proc struct {
	name string
	cmd  *exec.Cmd
	log  string
	done chan struct{}
}

// startProc starts bin; it reports a failure with t.Errorf and returns nil,
// so the killer goroutine may call it too.
func startProc(t *testing.T, bin, name string, args ...string) *proc {
	t.Helper()
	log := filepath.Join(t.TempDir(), name+".log")
	f, err := os.Create(log)
	if err != nil {
		t.Error(err)
		return nil
	}
	cmd := exec.Command(bin, args...)
	cmd.Stdout, cmd.Stderr = f, f
	// Only loopback; no inherited settings that would point elsewhere.
	cmd.Env = append(os.Environ(), "PEAKSHOP_ADMIN_TOKEN=kill-test-admin", "PEAKSHOP_NATS=", "PEAKSHOP_SMTP=", "PEAKSHOP_PAYMENT_LEDGER=")
	if err := cmd.Start(); err != nil {
		f.Close()
		t.Errorf("start %s: %v", name, err)
		return nil
	}
	p := &proc{name: name, cmd: cmd, log: log, done: make(chan struct{})}
	go func() { _ = cmd.Wait(); f.Close(); close(p.done) }()
	// Whatever happens to the test, no process outlives it.
	t.Cleanup(func() { _ = cmd.Process.Kill(); <-p.done })
	return p
}

// kill is SIGKILL: no shutdown code runs, as when a machine dies.
func (p *proc) kill(t *testing.T) {
	_ = p.cmd.Process.Signal(syscall.SIGKILL)
	<-p.done
	t.Logf("killed %s", p.name)
}

// stop is SIGTERM, with a bound.
func (p *proc) stop(t *testing.T) {
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(30 * time.Second):
		t.Errorf("%s did not stop within 30s of SIGTERM", p.name)
		_ = p.cmd.Process.Kill()
		<-p.done
	}
}

func (p *proc) logTail() string {
	b, _ := os.ReadFile(p.log)
	if len(b) > 4000 {
		b = b[len(b)-4000:]
	}
	return string(b)
}

// buildPeakshop builds this command into the test's temporary folder.
func buildPeakshop(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "peakshop")
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Minute)
	defer cancel()
	out, err := exec.CommandContext(ctx, "go", "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// testNATS is a JetStream server started in this process on a loopback port
// with a temporary store: the embedded store has one owner, and the shop and
// the worker are two processes. Not PEAKSHOP_TEST_NATS: the shop's stream
// and consumer names are fixed, and other packages' tests use that server at
// the same time; their events would reach this test's worker and the other
// way round. The external server is covered by the subscribers' tests.
func testNATS(t *testing.T) string {
	t.Helper()
	ns, err := natsserver.NewServer(&natsserver.Options{Host: "127.0.0.1", Port: -1, JetStream: true,
		StoreDir: t.TempDir(), NoSigs: true, NoLog: true})
	if err != nil {
		t.Fatal(err)
	}
	ns.Start()
	t.Cleanup(ns.Shutdown)
	if !ns.ReadyForConnections(10 * time.Second) {
		t.Fatal("nats server not ready")
	}
	return ns.ClientURL()
}

// freeAddr finds a free loopback port. Another process could take it before
// serve binds it; on this machine's tests nothing else picks ports so.
func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}
