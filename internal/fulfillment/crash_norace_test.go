//go:build !race

package fulfillment_test

// crashOrders is how many orders the crash children share.
const crashOrders = 150
