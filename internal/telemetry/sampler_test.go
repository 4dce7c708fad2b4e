package telemetry

import (
	"testing"
	"time"
)

// TestAdmissionBudget checks the per-second budget: a burst up to it is
// traced, the next request is not, and one token's gap later one more is.
func TestAdmissionBudget(t *testing.T) {
	a := newAdmission(1, 20) // a token every 50ms, a burst of 20
	for i := 0; i < 20; i++ {
		if !a.admit() {
			t.Fatalf("request %d of the burst not admitted", i+1)
		}
	}
	for i := 0; i < 100; i++ {
		if a.admit() {
			t.Fatalf("request %d past the spent budget admitted", i+21)
		}
	}
	time.Sleep(60 * time.Millisecond)
	if !a.admit() {
		t.Fatal("no request admitted a token's gap after the budget was spent")
	}
	if a.admit() {
		t.Fatal("two admitted on one token")
	}
	if none := newAdmission(0.0000001, 1000); none.admit() && none.admit() && none.admit() {
		t.Error("a tiny ratio admitted three in a row")
	}
}
