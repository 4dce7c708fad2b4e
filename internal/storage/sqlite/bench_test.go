package sqlite_test

import (
	"testing"

	"github.com/peakshop/peakshop/internal/storage/storetest"
)

// BenchmarkCheckout is the checkout benchmark on the embedded default:
//
//	go test -run '^$' -bench Checkout -benchtime 20000x ./internal/storage/sqlite/
func BenchmarkCheckout(b *testing.B) { storetest.BenchCheckout(b, storetest.OpenSQLite) }

// BenchmarkImportCatalog times loading the demo-sized catalog.
func BenchmarkImportCatalog(b *testing.B) { storetest.BenchImportCatalog(b, storetest.OpenSQLite) }
