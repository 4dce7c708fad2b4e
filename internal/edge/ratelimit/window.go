package ratelimit

import (
	"sync"
	"time"
)

// window is one client's sliding-window counter for one rule.
type window struct {
	mu           sync.Mutex
	idx          int64 // index of the current fixed window
	cur, prev    int64
	blockedUntil time.Time
}

// take counts one request at now and reports whether it is allowed; when
// not, until is when the block ends.
func (w *window) take(now time.Time, limit int64, size, block time.Duration) (ok bool, until time.Time) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if now.Before(w.blockedUntil) {
		return false, w.blockedUntil
	}
	idx := now.UnixNano() / int64(size)
	switch {
	case idx == w.idx+1:
		w.prev, w.cur = w.cur, 0
	case idx != w.idx:
		w.prev, w.cur = 0, 0
	}
	w.idx = idx
	// Share of the previous window still inside the sliding window.
	elapsed := float64(now.UnixNano()-idx*int64(size)) / float64(size)
	estimate := float64(w.prev)*(1-elapsed) + float64(w.cur) + 1
	if estimate > float64(limit) {
		w.blockedUntil = now.Add(block)
		return false, w.blockedUntil
	}
	w.cur++
	return true, time.Time{}
}
