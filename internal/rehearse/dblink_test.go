package rehearse

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/peakshop/peakshop/internal/chaos"
	"github.com/peakshop/peakshop/internal/storage/storetest"
)

func TestDBLinksOnlyForPostgres(t *testing.T) {
	links, dsns, err := dbLinks("sqlite:/tmp/x/shop.db")
	if err != nil || len(links) != 0 || dsns["app"] != "sqlite:/tmp/x/shop.db" || dsns["worker"] != dsns["app"] {
		t.Fatalf("sqlite: links %v, dsns %v, err %v", links, dsns, err)
	}
	if _, _, err := dbLinks("postgres://%zz"); err == nil || strings.Contains(err.Error(), "%zz") {
		t.Errorf("bad URL: err %v (must not echo the URL, which may hold a password)", err)
	}
}

// On PostgreSQL serve and the worker each reach the database through a
// link of their own: the default experiment's latency fault slows the
// queries that go through it, a cut fails them, and after the undo they
// work again, while the other process's link is untouched.
func TestDBLinksOnPostgres(t *testing.T) {
	pg := os.Getenv(storetest.PostgresEnv)
	if pg == "" {
		t.Skipf("%s is not set", storetest.PostgresEnv)
	}
	links, dsns, err := dbLinks(pg)
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		for _, l := range links {
			l.Close()
		}
	}()
	if len(links) != 2 || links["app-db"] == nil || links["worker-db"] == nil ||
		!strings.Contains(dsns["app"], links["app-db"].Addr()) || !strings.Contains(dsns["worker"], links["worker-db"].Addr()) {
		t.Fatalf("links %v, dsns %v", links, dsns)
	}
	ctx := t.Context()
	connect := func(dsn string) *pgx.Conn {
		t.Helper()
		c, err := pgx.Connect(ctx, dsn)
		if err != nil {
			t.Fatalf("connect through the link: %v", err)
		}
		t.Cleanup(func() { c.Close(context.Background()) })
		return c
	}
	query := func(c *pgx.Conn, limit time.Duration) (time.Duration, error) {
		qctx, cancel := context.WithTimeout(ctx, limit)
		defer cancel()
		start := time.Now()
		var one int
		err := c.QueryRow(qctx, "SELECT 1").Scan(&one)
		return time.Since(start), err
	}
	app, worker := connect(dsns["app"]), connect(dsns["worker"])

	exp, err := DefaultExperiment()
	if err != nil {
		t.Fatal(err)
	}
	var fault chaos.Fault
	for _, f := range exp.Faults {
		if f.Kind == chaos.KindLatency && f.Target == "app-db" {
			fault = f
		}
	}
	if fault.Latency <= 0 {
		t.Fatal("the default experiment has no latency fault on app-db")
	}
	id, err := links["app-db"].AddLatency(fault.Latency.D(), 0)
	if err != nil {
		t.Fatal(err)
	}
	if took, err := query(app, 5*time.Second); err != nil || took < 2*fault.Latency.D() {
		t.Errorf("app query under %v latency each way took %v (err %v), want at least %v", fault.Latency.D(), took, err, 2*fault.Latency.D())
	}
	if took, err := query(worker, 5*time.Second); err != nil || took >= fault.Latency.D() {
		t.Errorf("worker query took %v (err %v) with only app-db slowed", took, err)
	}
	if err := links["app-db"].Remove(id); err != nil {
		t.Fatal(err)
	}

	if err := links["worker-db"].Cut(); err != nil {
		t.Fatal(err)
	}
	if _, err := query(worker, 2*time.Second); err == nil {
		t.Error("worker query succeeded through a cut link")
	}
	if err := links["worker-db"].Uncut(); err != nil {
		t.Fatal(err)
	}
	if _, err := query(connect(dsns["worker"]), 5*time.Second); err != nil {
		t.Errorf("worker cannot reach the database after the cut is undone: %v", err)
	}
}
