//go:build race

package fulfillment_test

// queuedOrders is smaller under the race detector, which slows the pure-Go
// SQLite driver about twentyfold; the full 1,000 run without it.
const queuedOrders = 300
