package loadgen

import (
	"fmt"
	"io"
	"os"
	"sync"
	"time"
)

// Progress prints a live line while a run goes: rewritten in place on a
// terminal, one plain line every Every otherwise (CI logs must not fill
// with carriage returns). A nil *Progress prints nothing.
type Progress struct {
	w     io.Writer
	tty   bool
	every time.Duration

	mu   sync.Mutex
	last time.Duration
	line bool // a line is showing and needs a newline at the end
}

// NewProgress writes to w, in place when w is a terminal.
func NewProgress(w io.Writer) *Progress {
	return &Progress{w: w, tty: isTerminal(w), every: 10 * time.Second}
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

func (p *Progress) update(elapsed, total time.Duration, rec *Recorder) {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.tty && elapsed-p.last < p.every {
		return
	}
	p.last = elapsed
	res := rec.Result(elapsed)
	pt := Point{}
	if n := len(res.Timeline); n > 0 {
		pt = res.Timeline[n-1]
	}
	line := fmt.Sprintf("load %4.0fs/%.0fs  %6d req/s  p99 %7.1fms  req %d  err %.2f%%  hostile %d  sessions %d  orders %d  late %d  in flight %d",
		elapsed.Seconds(), total.Seconds(), pt.Requests+pt.Hostile, pt.P99, res.Requests, res.ErrorRate*100,
		res.HostileRequests, res.Funnel.Sessions, res.Funnel.Orders, res.LateArrivals, pt.InFlight)
	if p.tty {
		fmt.Fprintf(p.w, "\r%s\x1b[K", line)
		p.line = true
		return
	}
	fmt.Fprintln(p.w, line)
}

func (p *Progress) finish() {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.line {
		fmt.Fprintln(p.w)
		p.line = false
	}
}
