package loadgen_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/peakshop/peakshop/internal/loadgen"
)

// BenchmarkSingleGET measures the generator's own cost per request: b.N
// sessions of one GET against a trivial server, offered faster than any
// machine can send them, so the figure is the generator's ceiling. Run with
// GOMAXPROCS=1 (or -cpu 1) for the per-core figure; scripts/bench-load.sh
// compares the command with wrk and vegeta.
func BenchmarkSingleGET(b *testing.B) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.Write([]byte("ok\n")) }))
	defer srv.Close()
	sc, err := loadgen.ParseScenario(strings.NewReader(`{"name":"bench","profile":{"kind":"constant","rate":1000000},
	  "duration":"1h","max_shoppers":64,"graceful_stop":"1s","journeys":[{"name":"get","weight":1,"steps":["get /"]}]}`))
	if err != nil {
		b.Fatal(err)
	}
	sc.MaxRequests = int64(b.N)
	b.ReportAllocs()
	b.ResetTimer()
	start := time.Now()
	res, err := loadgen.Run(context.Background(), loadgen.Config{Target: srv.URL, Scenario: sc,
		Profile: loadgen.Constant{PerSec: 1e6}, Logger: quietLogger()})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(res.Requests)/time.Since(start).Seconds(), "req/s")
	if res.ErrorRate > 0 {
		b.Fatalf("errors: %v", res.Errors)
	}
}
