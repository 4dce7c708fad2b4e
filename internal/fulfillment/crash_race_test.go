//go:build race

package fulfillment_test

// crashOrders is smaller under the race detector, which slows every child's
// pure-Go SQLite about twentyfold.
const crashOrders = 80
