package sqlite_test

import (
	"testing"

	"github.com/peakshop/peakshop/internal/storage/storetest"
)

func TestConformance(t *testing.T) {
	storetest.Run(t, storetest.OpenSQLite)
}
