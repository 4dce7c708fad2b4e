package postgres_test

import (
	"testing"

	"github.com/peakshop/peakshop/internal/storage/storetest"
)

// BenchmarkCheckout is the checkout benchmark on PostgreSQL (skipped unless
// PEAKSHOP_TEST_POSTGRES is set):
//
//	PEAKSHOP_TEST_POSTGRES=postgres://... go test -run '^$' -bench Checkout -benchtime 5000x ./internal/storage/postgres/
func BenchmarkCheckout(b *testing.B) { storetest.BenchCheckout(b, storetest.OpenPostgres) }

// BenchmarkImportCatalog times loading the demo-sized catalog.
func BenchmarkImportCatalog(b *testing.B) { storetest.BenchImportCatalog(b, storetest.OpenPostgres) }
