package web

import (
	"testing"
	"time"
)

// A sale typed for midnight in the shop's zone starts at that midnight,
// whichever spelling the form sends; a zone abbreviation as the page shows
// times is allowed; other text is refused.
func TestParseShopTime(t *testing.T) {
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	want := time.Date(2026, 11, 26, 23, 0, 0, 0, time.UTC) // 27 Nov 00:00 CET
	for _, in := range []string{"2026-11-27T00:00", "2026-11-27T00:00:00", "2026-11-27 00:00", " 2026-11-27 00:00 CET "} {
		got, ok := parseShopTime(in, berlin)
		if !ok || !got.Equal(want) || got.Location() != time.UTC {
			t.Errorf("%q: %v %v, want %v", in, got, ok, want)
		}
	}
	if got, ok := parseShopTime("2026-11-27 00:00 UTC", time.UTC); !ok || !got.Equal(want.Add(time.Hour)) {
		t.Errorf("UTC shop: %v %v", got, ok)
	}
	for _, bad := range []string{"tomorrow", "2026-11-27", "2026-11-27 00:00 cet", "27/11/2026 00:00"} {
		if _, ok := parseShopTime(bad, berlin); ok {
			t.Errorf("%q accepted", bad)
		}
	}
	if got, ok := parseShopTime("", berlin); !ok || !got.IsZero() {
		t.Errorf("empty: %v %v", got, ok)
	}
}
