package chaos

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
)

// probe sends p once and reports whether it got the expected status.
func (r *runner) probe(ctx context.Context, p Probe) (bool, string) {
	ctx, cancel := context.WithTimeout(ctx, p.Timeout.D())
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, p.Method, strings.TrimSuffix(r.t.BaseURL, "/")+p.Path, nil)
	if err != nil {
		return false, fmt.Sprintf("%s: %v", p.Name, err)
	}
	// Probes are rehearsal traffic: the shop keeps them out of its business
	// figures, as it does the load tool's.
	req.Header.Set("Baggage", "synthetic=true")
	resp, err := r.t.HTTPClient.Do(req)
	if err != nil {
		return false, fmt.Sprintf("%s: %v", p.Name, err)
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20)) // lets the connection be reused
	resp.Body.Close()
	if resp.StatusCode != p.Expect {
		return false, fmt.Sprintf("%s: %s %s answered %d, want %d", p.Name, p.Method, p.Path, resp.StatusCode, p.Expect)
	}
	return true, ""
}

// steady runs every probe once, at the same time, and reports whether all
// passed, with the failures.
func (r *runner) steady(ctx context.Context) (bool, string) {
	if len(r.exp.SteadyState) == 0 {
		return true, "no probes"
	}
	fails := make([]string, len(r.exp.SteadyState))
	var wg sync.WaitGroup
	for i, p := range r.exp.SteadyState {
		wg.Go(func() {
			if ok, d := r.probe(ctx, p); !ok {
				fails[i] = d
			}
		})
	}
	wg.Wait()
	var bad []string
	for _, f := range fails {
		if f != "" {
			bad = append(bad, f)
		}
	}
	if len(bad) > 0 {
		return false, strings.Join(bad, "; ")
	}
	return true, fmt.Sprintf("%d probe(s) pass", len(r.exp.SteadyState))
}
