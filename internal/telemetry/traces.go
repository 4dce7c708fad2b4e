package telemetry

import (
	"sort"
	"time"

	"go.opentelemetry.io/otel/codes"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
)

// Span is one finished span as the console and `peakshop` tools see it.
type Span struct {
	TraceID    string            `json:"trace_id"`
	SpanID     string            `json:"span_id"`
	ParentID   string            `json:"parent_id,omitempty"`
	Name       string            `json:"name"`
	Kind       string            `json:"kind"`
	Service    string            `json:"service"`
	Start      time.Time         `json:"start"`
	DurationMS float64           `json:"duration_ms"`
	Error      bool              `json:"error,omitempty"`
	Status     string            `json:"status,omitempty"`
	Attributes map[string]string `json:"attributes,omitempty"`
	Events     []string          `json:"events,omitempty"`
}

// Trace is the spans of one trace that are still in the ring.
type Trace struct {
	TraceID    string    `json:"trace_id"`
	Root       string    `json:"root"`
	Start      time.Time `json:"start"`
	DurationMS float64   `json:"duration_ms"`
	Error      bool      `json:"error,omitempty"`
	Spans      []Span    `json:"spans"`
}

// Spans returns every span in the ring, oldest first, redacted.
func (r *Ring) Spans() []Span {
	raw := r.snapshot()
	out := make([]Span, len(raw))
	for i, s := range raw {
		out[i] = toSpan(s)
	}
	return out
}

// Recent returns up to n traces, newest first, each with its spans in start
// order. A trace whose root has not finished yet shows the spans that have.
func (r *Ring) Recent(n int) []Trace {
	byID := map[string]*Trace{}
	var order []*Trace
	for _, s := range r.Spans() {
		t := byID[s.TraceID]
		if t == nil {
			t = &Trace{TraceID: s.TraceID, Start: s.Start}
			byID[s.TraceID] = t
			order = append(order, t)
		}
		t.Spans = append(t.Spans, s)
	}
	for _, t := range order {
		sort.Slice(t.Spans, func(i, j int) bool { return t.Spans[i].Start.Before(t.Spans[j].Start) })
		end := t.Spans[0].Start
		t.Start, t.Root = t.Spans[0].Start, t.Spans[0].Name
		ids := make(map[string]bool, len(t.Spans))
		for _, s := range t.Spans {
			ids[s.SpanID] = true
		}
		rooted := false
		for _, s := range t.Spans {
			if e := s.Start.Add(time.Duration(s.DurationMS * float64(time.Millisecond))); e.After(end) {
				end = e
			}
			// The root is the earliest span whose parent is not here: none,
			// or in another process (the edge). A subscriber's span has a
			// remote parent too (the message headers), but that parent, the
			// publish, is in this trace.
			if !rooted && (s.ParentID == "" || !ids[s.ParentID]) {
				t.Root, rooted = s.Name, true
			}
			t.Error = t.Error || s.Error
		}
		t.DurationMS = float64(end.Sub(t.Start).Microseconds()) / 1000
	}
	sort.Slice(order, func(i, j int) bool { return order[i].Start.After(order[j].Start) })
	if len(order) > n {
		order = order[:n]
	}
	out := make([]Trace, len(order))
	for i, t := range order {
		out[i] = *t
	}
	return out
}

func toSpan(s sdktrace.ReadOnlySpan) Span {
	sc := s.SpanContext()
	out := Span{
		TraceID: sc.TraceID().String(), SpanID: sc.SpanID().String(),
		Name: s.Name(), Kind: s.SpanKind().String(), Start: s.StartTime(),
		DurationMS: float64(s.EndTime().Sub(s.StartTime()).Microseconds()) / 1000,
		Error:      s.Status().Code == codes.Error, Status: s.Status().Description,
	}
	if p := s.Parent(); p.IsValid() {
		out.ParentID = p.SpanID().String()
	}
	for _, kv := range s.Resource().Attributes() {
		if kv.Key == "service.name" {
			out.Service = kv.Value.AsString()
		}
	}
	if attrs := s.Attributes(); len(attrs) > 0 {
		out.Attributes = make(map[string]string, len(attrs))
		for _, kv := range attrs {
			out.Attributes[string(kv.Key)] = kv.Value.Emit()
		}
	}
	for _, e := range s.Events() {
		out.Events = append(out.Events, e.Name)
	}
	return out
}
