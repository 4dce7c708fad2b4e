package ratelimit

import (
	"context"
	"time"
)

// redisCoolOff is how long the limiter stops asking Redis after a failed
// call. Without it every request during an outage would wait for the
// timeout (50 ms) before being allowed; with it only one request a second
// does, and the rest fail open at once.
const redisCoolOff = time.Second

// take asks the store, failing open: when the store errs (Redis down,
// slow or refusing), the request is allowed, counted in FailOpen and
// logged at most once per cool-off, so an outage of the shared counters
// can never take the shop down with it, nor flood the log.
func (l *Limiter) take(ctx context.Context, r *rule, key clientKey, now time.Time) (bool, time.Time) {
	if now.UnixNano() < l.downUntil.Load() {
		l.failOpen.Add(1)
		return true, time.Time{}
	}
	ok, until, err := l.store.take(ctx, r, key, now)
	if err == nil {
		return ok, until
	}
	l.failOpen.Add(1)
	l.downUntil.Store(now.Add(redisCoolOff).UnixNano())
	if last := l.lastLog.Load(); now.UnixNano()-last >= int64(redisCoolOff) && l.lastLog.CompareAndSwap(last, now.UnixNano()) {
		l.logger.Error("rate rules fail open: shared counters unavailable", "rule", r.Name, "err", err,
			"fail_open_total", l.failOpen.Load())
	}
	return true, time.Time{}
}
