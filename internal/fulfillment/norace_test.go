//go:build !race

package fulfillment_test

// queuedOrders is the 1,000 queued orders.
const queuedOrders = 1000
