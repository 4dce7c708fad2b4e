package ids

import (
	"testing"
	"time"
)

func TestNewIsValidAndSortsByTime(t *testing.T) {
	t0 := time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC)
	a, b := New("ord", t0), New("ord", t0.Add(time.Millisecond))
	if !Valid("ord", a) || !Valid("ord", b) {
		t.Fatalf("%s %s not valid", a, b)
	}
	if !(a < b) {
		t.Fatalf("%s should sort before %s", a, b)
	}
	if New("ord", t0) == a {
		t.Fatal("two ids in one millisecond are equal")
	}
	for _, bad := range []string{"", "ord_", "cart_" + a[4:], a + "X", "ord_Z123456789ABCDEFGHJKMNPQRS", "ord_0123456789ABCDEFGHIJKLMN", "ord-" + a[4:]} {
		if Valid("ord", bad) {
			t.Errorf("Valid(%q) = true", bad)
		}
	}
}
