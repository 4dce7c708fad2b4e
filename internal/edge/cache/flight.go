package cache

import "sync"

// flightResult is what a collapsed fetch hands its waiters: the entry to
// serve (nil when the response was not storable, so each waiter must go to
// the origin alone), the storage key it was filed under, and whether it is
// a stale copy standing in for an origin error.
type flightResult struct {
	e     *entry
	key   string
	stale bool
}

type flight struct {
	done chan struct{}
	res  flightResult
	once sync.Once
}

// flights collapses concurrent origin fetches of one storage key.
type flights struct {
	mu sync.Mutex
	m  map[string]*flight
}

// join returns the key's flight, starting one (leader true) if none runs.
func (f *flights) join(key string) (fl *flight, leader bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if fl, ok := f.m[key]; ok {
		return fl, false
	}
	fl = &flight{done: make(chan struct{})}
	f.m[key] = fl
	return fl, true
}

// idle reports whether no fetch of key is under way.
func (f *flights) idle(key string) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	_, busy := f.m[key]
	return !busy
}

// finish publishes the result and releases the waiters; later calls are
// no-ops, so a leader may finish early (not storable) and again on return.
func (f *flights) finish(key string, fl *flight, res flightResult) {
	fl.once.Do(func() {
		fl.res = res
		f.mu.Lock()
		if f.m[key] == fl {
			delete(f.m, key)
		}
		f.mu.Unlock()
		close(fl.done)
	})
}
