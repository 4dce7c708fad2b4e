package proxy

import (
	"io"
	"net/http"
	"slices"
	"testing"
	"time"
)

// BenchmarkProxyMissAddedLatency measures what one proxy hop adds to a
// request over loopback, at the median and p99, by timing the same request
// sent directly to the origin and through the proxy, alternately.
func BenchmarkProxyMissAddedLatency(b *testing.B) {
	o := newOrigin(b, "o", func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "product page") })
	p := mustProxy(b, Config{Pools: []PoolConfig{{Name: "web", Targets: []string{o.URL}}}})
	edge := mustServe(b, p)
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 4}}
	timeGet := func(url string) time.Duration {
		start := time.Now()
		resp, err := client.Get(url)
		if err != nil {
			b.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return time.Since(start)
	}
	var direct, proxied []time.Duration
	for b.Loop() {
		direct = append(direct, timeGet(o.URL+"/p"))
		proxied = append(proxied, timeGet(edge.URL+"/p"))
	}
	pct := func(d []time.Duration, q float64) float64 {
		slices.Sort(d)
		return float64(d[int(q*float64(len(d)-1))].Microseconds())
	}
	b.ReportMetric(pct(direct, 0.5), "direct-p50-us")
	b.ReportMetric(pct(proxied, 0.5), "proxied-p50-us")
	b.ReportMetric(pct(proxied, 0.5)-pct(direct, 0.5), "added-p50-us")
	b.ReportMetric(pct(direct, 0.99), "direct-p99-us")
	b.ReportMetric(pct(proxied, 0.99), "proxied-p99-us")
	b.ReportMetric(pct(proxied, 0.99)-pct(direct, 0.99), "added-p99-us")
}
