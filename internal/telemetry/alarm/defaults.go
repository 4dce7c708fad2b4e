package alarm

import "time"

// apiRoutes selects the shop's API routes (not /metrics or the console).
const apiRoutes = `(GET|POST|PUT|DELETE) /api/.*`

// Defaults are the alarms a shop starts with. Thresholds are for a sale day:
// tight enough to page before shoppers give up, loose enough not to page on
// one slow minute. Queue rules stay INSUFFICIENT_DATA where the pipeline
// does not run (no JetStream, no queue series).
func Defaults() File {
	f := File{Period: Duration(time.Minute), Rules: []Rule{
		{
			Name: "api-p99-latency", Description: "p99 latency of the API above 500 ms",
			Signal:     Signal{Kind: "quantile", Metric: "peakshop_http_request_duration_seconds", Quantile: 0.99, Match: map[string]string{"route": apiRoutes}},
			Comparison: ">", Threshold: 0.5, Datapoints: 3, Periods: 5, Severity: "page", Actions: []string{"scale-out"},
		},
		{
			Name: "http-5xx-rate", Description: "more than 2% of API requests answered 5xx",
			Signal: Signal{Kind: "ratio", Metric: "peakshop_http_requests_total", Match: map[string]string{"route": apiRoutes, "code": "5.."},
				Denominator: "peakshop_http_requests_total", DenominatorMatch: map[string]string{"route": apiRoutes}},
			Comparison: ">", Threshold: 0.02, Datapoints: 3, Periods: 5, Severity: "page",
		},
		{
			Name: "payment-decline-rate", Description: "more than 15% of payments declined",
			Signal: Signal{Kind: "ratio", Metric: "peakshop_checkouts_total", Match: map[string]string{"outcome": "declined"},
				Denominator: "peakshop_checkouts_total", DenominatorMatch: map[string]string{"outcome": "created|declined"}},
			Comparison: ">", Threshold: 0.15, Datapoints: 3, Periods: 5, Severity: "page",
		},
		{
			Name: "stock-outs", Description: "more than 20 SKUs found short at checkout in a minute",
			Signal:     Signal{Kind: "increase", Metric: "peakshop_stockout_skus_total"},
			Comparison: ">", Threshold: 20, Datapoints: 2, Periods: 3, Severity: "ticket",
		},
		{
			Name: "queue-lag", Description: "a consumer more than 1000 messages behind",
			Signal:     Signal{Kind: "gauge", Metric: "peakshop_queue_consumer_lag_messages"},
			Comparison: ">", Threshold: 1000, Datapoints: 3, Periods: 5, Severity: "page", Actions: []string{"scale-out"},
		},
		{
			// A gauge of the dead-letter stream (per subscriber), not a
			// counter: the alarm holds while dead letters wait, and clears
			// once they are redriven or purged.
			Name: "dead-letters", Description: "dead letters waiting in the dead-letter queue",
			Signal:     Signal{Kind: "gauge", Metric: "peakshop_queue_dead_letters"},
			Comparison: ">", Threshold: 0, Datapoints: 1, Periods: 1, Severity: "ticket",
		},
	}}
	if err := f.Validate(); err != nil {
		panic("alarm: defaults invalid: " + err.Error()) // a programming error, caught by the tests
	}
	return f
}
