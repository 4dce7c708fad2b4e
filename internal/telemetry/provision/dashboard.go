package provision

import "encoding/json"

type panel struct {
	title, unit string
	targets     [][2]string // expr, legend
}

// panels mirror the console's charts.
func panels() []panel {
	api := `route=~"(GET|POST|PUT|DELETE) /api/.*"`
	return []panel{
		{"Requests/s by route", "reqps", [][2]string{{`sum by (route) (rate(peakshop_http_requests_total{` + api + `}[1m]))`, "{{route}}"}}},
		{"Latency percentiles", "s", [][2]string{
			{`histogram_quantile(0.5, sum by (le) (rate(peakshop_http_request_duration_seconds_bucket{` + api + `}[1m])))`, "p50"},
			{`histogram_quantile(0.95, sum by (le) (rate(peakshop_http_request_duration_seconds_bucket{` + api + `}[1m])))`, "p95"},
			{`histogram_quantile(0.99, sum by (le) (rate(peakshop_http_request_duration_seconds_bucket{` + api + `}[1m])))`, "p99"},
		}},
		{"Errors/s", "reqps", [][2]string{
			{`sum(rate(peakshop_http_requests_total{` + api + `,code=~"5.."}[1m]))`, "5xx"},
			{`sum(rate(peakshop_http_requests_total{` + api + `,code=~"4.."}[1m]))`, "4xx"},
		}},
		{"Orders/min", "short", [][2]string{
			{`sum(rate(peakshop_checkouts_total{outcome="created"}[5m])) * 60`, "orders"},
			{`sum(rate(peakshop_checkouts_total{outcome="declined"}[5m])) * 60`, "declines"},
			{`sum(rate(peakshop_synthetic_checkouts_total[5m])) * 60`, "synthetic (excluded)"},
		}},
		{"Revenue/min (major units)", "short", [][2]string{{`sum by (currency) (rate(peakshop_revenue_minor_units_total[5m])) * 60 / 100`, "{{currency}}"}}},
		{"Payment decline ratio", "percentunit", [][2]string{{`sum(increase(peakshop_checkouts_total{outcome="declined"}[5m])) / sum(increase(peakshop_checkouts_total{outcome=~"created|declined"}[5m]))`, "declined"}}},
		{"Stock-outs (SKUs short)/min", "short", [][2]string{{`sum(rate(peakshop_stockout_skus_total[5m])) * 60`, "SKUs"}}},
		{"Product cache hit ratio", "percentunit", [][2]string{{`sum(rate(peakshop_cache_requests_total{cache="product",result="hit"}[1m])) / sum(rate(peakshop_cache_requests_total{cache="product"}[1m]))`, "hit ratio"}}},
		{"Conversion and cart abandonment", "percentunit", [][2]string{
			{`max(peakshop_funnel_session_conversion_ratio)`, "session to order"},
			{`max(peakshop_funnel_cart_abandonment_ratio)`, "carts abandoned"},
		}},
		{"Instances", "short", [][2]string{
			{`sum by (role) (peakshop_instance_up)`, "{{role}}"},
			{`sum by (pool) (peakshop_edge_upstream_targets_healthy)`, "healthy upstreams {{pool}}"},
		}},
		// Every instance running the pipeline reports the same consumers
		// (read from JetStream), so max, not sum.
		{"Queue consumer lag", "short", [][2]string{{`max by (consumer) (peakshop_queue_consumer_lag_messages)`, "{{consumer}}"}}},
		{"Dead letters waiting", "short", [][2]string{{`max by (consumer) (peakshop_queue_dead_letters)`, "{{consumer}}"}}},
		{"WAF blocks/s by rule", "short", [][2]string{
			{`sum by (layer, rule) (rate(peakshop_waf_blocks_total[1m]))`, "{{layer}} {{rule}}"},
			{`sum by (rule) (rate(peakshop_ratelimit_blocks_total[1m]))`, "rate rule {{rule}}"},
		}},
		{"Go runtime", "short", [][2]string{{`sum(go_goroutines)`, "goroutines"}, {`sum(go_memstats_heap_alloc_bytes) / 1048576`, "heap MiB"}}},
	}
}

// Dashboard is a Grafana dashboard (JSON model, schema 39) with a
// Prometheus data source chosen on import.
func Dashboard() ([]byte, error) {
	ds := map[string]any{"type": "prometheus", "uid": "${DS_PROMETHEUS}"}
	var ps []any
	for i, p := range panels() {
		var targets []any
		for j, t := range p.targets {
			targets = append(targets, map[string]any{"refId": string(rune('A' + j)), "expr": t[0], "legendFormat": t[1], "datasource": ds})
		}
		ps = append(ps, map[string]any{
			"id": i + 1, "type": "timeseries", "title": p.title, "datasource": ds,
			"gridPos":     map[string]int{"h": 8, "w": 12, "x": (i % 2) * 12, "y": (i / 2) * 8},
			"fieldConfig": map[string]any{"defaults": map[string]any{"unit": p.unit}, "overrides": []any{}},
			"options":     map[string]any{"legend": map[string]any{"displayMode": "list", "placement": "bottom"}},
			"targets":     targets,
		})
	}
	ps = append(ps, map[string]any{
		"id": len(ps) + 1, "type": "alertlist", "title": "peakshop alarms",
		"gridPos": map[string]int{"h": 8, "w": 24, "x": 0, "y": (len(ps) + 1) / 2 * 8},
		"options": map[string]any{"alertName": "", "groupMode": "default", "stateFilter": map[string]bool{"firing": true, "pending": true, "normal": true}},
	})
	d := map[string]any{
		"__inputs": []any{map[string]any{"name": "DS_PROMETHEUS", "label": "Prometheus", "type": "datasource", "pluginId": "prometheus"}},
		"title":    "peakshop", "uid": "peakshop-overview", "schemaVersion": 39, "version": 1,
		"tags": []string{"peakshop"}, "timezone": "browser", "refresh": "10s",
		"time":       map[string]string{"from": "now-1h", "to": "now"},
		"templating": map[string]any{"list": []any{}},
		"panels":     ps,
	}
	return json.MarshalIndent(d, "", "  ")
}
