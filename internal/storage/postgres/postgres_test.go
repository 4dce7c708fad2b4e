package postgres_test

import (
	"testing"

	"github.com/peakshop/peakshop/internal/storage/storetest"
)

// TestConformance runs the storage suite in a fresh schema per test when
// PEAKSHOP_TEST_POSTGRES holds a URL, and skips otherwise.
func TestConformance(t *testing.T) {
	storetest.Run(t, storetest.OpenPostgres)
}
